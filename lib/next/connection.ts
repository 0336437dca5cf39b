import { requestStoresFor } from '../context.ts'
import { trackDynamicAccess } from '../cache/static-generation.ts'

/**
 * `connection()` from `next/server`. In Next.js it marks what follows as needing a real request
 * (prerendering waits on it forever); here every handler runs for a real request, so it resolves at
 * once. Outside a request it throws `RH_ERR_CONTEXT_MISSING`, as Next.js throws.
 *
 * @example
 * export async function GET() {
 *   await connection()
 *   return Response.json({ at: Date.now() })
 * }
 */
export function connection(): Promise<void> {
  const stores = requestStoresFor('connection()')
  // While a GET is generated for the cache, waiting for a connection makes it dynamic (Next.js).
  if (stores.length === 1) trackDynamicAccess(stores[0], 'connection()')
  return Promise.resolve()
}
