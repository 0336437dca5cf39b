// A collection: GET lists, POST creates from a JSON body (express.json() ran first; the handler
// still reads the body with request.json()).
import { NextResponse } from 'next/server'
import { addItem, listItems, type Item } from '../_lib/items'

export async function GET() {
  return NextResponse.json({ items: listItems() })
}

export async function POST(request: Request) {
  const item = (await request.json()) as Item
  if (typeof item.slug !== 'string' || typeof item.name !== 'string') {
    return NextResponse.json({ error: 'slug and name are required' }, { status: 400 })
  }
  return NextResponse.json(addItem({ slug: item.slug, name: item.name, price: Number(item.price ?? 0) }), { status: 201 })
}
