// Next.js docs: "Dynamic Route Segments" (Next 15/16 style: params is a promise).
import { notFound } from 'next/navigation'
import { findItem } from '../../_lib/items'

export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const item = findItem(slug)
  if (!item) notFound()
  return Response.json(item)
}
