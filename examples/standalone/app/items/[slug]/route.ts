import { type NextRequest } from 'next/server'
import { notFound } from 'next/navigation'

const items: Record<string, { name: string; price: number }> = {
  widget: { name: 'Widget', price: 9.5 },
  gadget: { name: 'Gadget', price: 24 },
}

export async function GET(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const item = items[slug]
  if (!item) notFound()
  return Response.json({ slug, ...item, currency: request.nextUrl.searchParams.get('currency') ?? 'EUR' })
}
