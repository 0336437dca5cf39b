// app/items/[slug]/route.ts — exactly as in a Next.js project
import { NextResponse, type NextRequest } from 'next/server'

export async function GET(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  return NextResponse.json({ slug, q: request.nextUrl.searchParams.get('q') })
}
