import { requestStoresFor } from '../context.ts'

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
  requestStoresFor('connection()')
  return Promise.resolve()
}
