import type { RequestStore } from '../context.ts'
import { INFINITE_CACHE } from './cache-life.ts'
import { collectCaching, markScopeDynamic } from './static-generation.ts'

/** What a `fetch()` call asks of the cache (Next.js's `init.next`). */
export interface NextFetchOptions {
  revalidate?: number | false
  tags?: string[]
}

export interface FetchCall {
  url: string
  method: string
  cache: RequestCache | undefined
  headers: Headers
  next: NextFetchOptions | undefined
}

/**
 * How long a `fetch()` inside a route handler is cached, in seconds (`0`: not cached), as
 * Next.js 15/16's `patch-fetch.ts` decides it: `next.revalidate`, `cache: 'force-cache'`
 * (forever), `cache: 'no-store'`, the file's `fetchCache` and `dynamic`; no option at all is not
 * cached. While the route is generated for the cache, a shorter `next.revalidate` lowers the
 * route's, and a `no-store` fetch makes a `dynamic = 'auto'` route dynamic. Throws Next's errors for
 * `fetchCache = 'only-cache'`/`'only-no-store'` conflicts.
 */
export function fetchRevalidate(call: FetchCall, store: RequestStore): number {
  const config = store.route?.config
  const generation = store.generation
  const pageMode = store.unit?.type === 'unstable-cache' ? 'force-no-store' : config?.fetchCache
  let cache = call.cache
  const original = call.next?.revalidate
  let revalidate = original
  // Conflicting options: Next warns and ignores both.
  if (cache !== undefined && revalidate !== undefined) {
    if ((cache === 'force-cache' && revalidate === 0) || (cache === 'no-store' && (revalidate === false || revalidate > 0))) {
      cache = undefined
      revalidate = undefined
    }
  }
  const optOut = cache === 'no-cache' || cache === 'no-store' || pageMode === 'force-no-store' || pageMode === 'only-no-store'
  const forceDynamicDefault = !pageMode && !cache && !revalidate && config?.dynamic === 'force-dynamic'
  if (cache === 'force-cache' && revalidate === undefined) revalidate = false
  else if (optOut || forceDynamicDefault) revalidate = 0
  let final: number | undefined = revalidate === false ? INFINITE_CACHE : revalidate

  const unCacheable = call.headers.has('authorization') || call.headers.has('cookie') || !['GET', 'HEAD'].includes(call.method)
  const noExplicitConfig = pageMode === undefined && (cache === undefined || cache === 'default') && revalidate === undefined
  const routeRevalidate = generation ? (generation.revalidate === false ? INFINITE_CACHE : generation.revalidate) : undefined
  const autoNoCache = (unCacheable && routeRevalidate === 0) || noExplicitConfig

  switch (pageMode) {
    case 'only-no-store':
      if (cache === 'force-cache' || (final !== undefined && final > 0)) {
        throw new Error(`cache: 'force-cache' used on fetch for ${call.url} with 'export const fetchCache = 'only-no-store'`)
      }
      break
    case 'only-cache':
      if (cache === 'no-store') throw new Error(`cache: 'no-store' used on fetch for ${call.url} with 'export const fetchCache = 'only-cache'`)
      break
    case 'force-cache':
      if (revalidate === undefined || revalidate === 0) final = INFINITE_CACHE
      break
  }
  if (final === undefined) {
    if (pageMode === 'default-cache') final = INFINITE_CACHE
    else if (pageMode === 'default-no-store' || autoNoCache) final = 0
    else final = routeRevalidate ?? INFINITE_CACHE
  }
  if (generation && !(generation.dynamic === 'force-static' && final === 0) && !autoNoCache && routeRevalidate !== undefined && final < routeRevalidate) {
    if (final === 0) markScopeDynamic(store, `revalidate: 0 fetch ${call.url} ${generation.route}`)
    else if (original === final) collectCaching(store, final, [])
  } else if (store.unit?.type === 'cache' && original === final && final > 0) {
    collectCaching(store, final, [])
  }
  return final
}
