// Changes a price, then expires the 'products' tag: on every instance the next GET /api/products
// reads the catalog again. ({ expire: 0 } expires at once; a profile such as 'max' would serve the
// old price once more while it regenerates.)
import { revalidateTag } from 'next/cache'
import { setPrice } from '../../_lib/catalog'

export async function POST(request: Request) {
  const { name, price } = (await request.json()) as { name: string; price: number }
  setPrice(name, price)
  revalidateTag('products', { expire: 0 })
  return Response.json({ revalidated: true })
}
