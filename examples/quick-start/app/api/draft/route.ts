// app/api/draft/route.ts — Next.js's docs example, unchanged
import { draftMode } from 'next/headers'
import { redirect } from 'next/navigation'

export async function GET(request: Request) {
  const { searchParams } = new URL(request.url)
  if (searchParams.get('secret') !== process.env.DRAFT_SECRET) return new Response('Invalid token', { status: 401 })
  ;(await draftMode()).enable() // Next 13/14: draftMode().enable()
  redirect(searchParams.get('slug') ?? '/')
}
