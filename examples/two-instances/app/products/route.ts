// The catalog, cached for a minute in Redis and shared by every instance; tagged 'products', so
// POST /api/products/price (./price/route.ts) refreshes it everywhere at once.
import { unstable_cache } from 'next/cache'
import { readCatalog } from '../_lib/catalog'

export const revalidate = 60

const catalog = unstable_cache(async () => readCatalog(), ['products'], { tags: ['products'] })

export async function GET() {
  const { products, reads } = await catalog()
  return Response.json({ products, reads, generatedBy: process.env.INSTANCE_NAME })
}
