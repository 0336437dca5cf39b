import { requestStorage, withRequestStore, type RequestStore } from '../context.ts'
import { INFINITE_CACHE } from '../cache/cache-life.ts'
import type { IncrementalCache } from '../cache/incremental-cache.ts'
import { fetchCacheKey } from '../cache/cache-key.ts'
import { defaultCache } from '../cache/default-cache.ts'
import { requestImplicitTags, requestPathname } from '../cache/request-tags.ts'
import { collectCaching, consumerWillCache } from '../cache/static-generation.ts'
import { STORE_UNAVAILABLE } from '../cache/store-guard.ts'
import { validateTags } from '../cache/validate-tags.ts'
import { inDraftMode } from './draft-mode.ts'

/** Next.js's `CACHE_ONE_YEAR`: what an `unstable_cache` entry without `revalidate` is stored with. */
const CACHE_ONE_YEAR = 31536000

export interface UnstableCacheOptions {
  /** Seconds before the cached result is stale (regenerated in the background); `false` for never. */
  revalidate?: number | false
  /** Tags for `revalidateTag()`. */
  tags?: string[]
}

/**
 * Caches what an async function resolves to (Next.js's `unstable_cache`), keyed by the function's
 * source, `keyParts` and the arguments; the result must survive `JSON.stringify` to be stored (in a
 * request, one that does not, a bigint, is logged and returned uncached, as in Next). A stale result
 * is returned at once and refreshed in the background (while its caller's result is being cached,
 * a GET generated for its entry or a `"use cache"` function, fresh data is waited for instead);
 * `revalidateTag()` on one of `tags` expires it. Inside a GET generated for the cache, its `revalidate` lowers the route's and its tags join
 * the route's. A failing store makes it call the function, uncached.
 *
 * @example
 * const getPosts = unstable_cache(async () => db.posts.findMany(), ['posts'], { tags: ['posts'], revalidate: 60 })
 */
export function unstable_cache<T extends (...args: never[]) => Promise<unknown>>(cb: T, keyParts?: string[], options: UnstableCacheOptions = {}): T {
  const { revalidate } = options
  if (revalidate === 0) {
    throw new Error(`Invariant revalidate: 0 can not be passed to unstable_cache(), must be "false" or "> 0" ${cb.toString()}`)
  }
  if (revalidate !== undefined && revalidate !== false && !(typeof revalidate === 'number' && revalidate > 0)) {
    throw new Error(`Invalid revalidate value "${String(revalidate)}" on "unstable_cache ${cb.name || cb.toString()}", must be a non-negative number or false`)
  }
  const tags = options.tags ? validateTags(options.tags, `unstable_cache ${cb.toString()}`) : []
  const fixedKey = `${cb.toString()}-${Array.isArray(keyParts) && keyParts.join(',')}`

  const cached = async (...args: Parameters<T>): Promise<unknown> => {
    const store = requestStorage.getStore()
    const cache = store?.handlers.cache ?? defaultCache()
    if (!cache) throw new Error(`Invariant: incrementalCache missing in unstable_cache ${cb.toString()}`)
    const invocationKey = `${fixedKey}-${JSON.stringify(args)}`
    const cacheKey = fetchCacheKey(invocationKey)
    const pathname = store ? requestPathname(store) : ''
    const fetchUrl = `unstable_cache ${pathname}${pathname.length ? ' ' : ''}${cb.name ? ` ${cb.name}` : cacheKey}`
    collectCaching(store, revalidate, tags)
    const run = () => (store ? withRequestStore<[], Promise<unknown>>({ ...store, unit: { type: 'unstable-cache' } }, () => cb(...args)) : cb(...args))
    const save = (result: unknown) => saveResult(cache, cacheKey, result, tags, revalidate, fetchUrl)
    // Runs and stores; resolves to the fresh result, for a caller that joins the flight to wait for it.
    const refresh = () => run().then(async (result) => (await save(result), result))
    // Nested, `force-no-store`, or draft mode (which must neither see nor store published data): uncached.
    if (store?.unit?.type === 'unstable-cache' || store?.route?.config.fetchCache === 'force-no-store' || (store && inDraftMode(store))) return run()

    const found = await cache.getFetch(cacheKey, { tags, softTags: requestImplicitTags(store), revalidate, fetchUrl })
    // Outside a request, Next returns only a fresh entry: a stale one is made again in the
    // foreground, its errors the caller's (review).
    if (found && found !== STORE_UNAVAILABLE && (store || !found.stale)) {
      const body = found.value.data.body
      const stored = (): unknown => (body === undefined ? undefined : JSON.parse(body))
      // What is made now goes into a cache entry: it must not be made of stale data (Next waits for
      // fresh data there, as for a stale fetch: patch-fetch.ts); a refresh that fails gives the
      // stale value, logged, as in Next.
      if (found.stale && consumerWillCache(store)) {
        return cache.singleFlight(cacheKey, refresh).catch((error: unknown) => (logRefreshError(store, invocationKey, error), stored()))
      }
      if (found.stale && !cache.inFlight(cacheKey)) {
        cache.inBackground(cache.singleFlight(cacheKey, refresh).catch((error: unknown) => logRefreshError(store, invocationKey, error)))
      }
      return stored()
    }
    const result = await run()
    if (found === STORE_UNAVAILABLE) return result
    // In a request, a result that cannot be stored (a bigint: JSON.stringify throws) is logged and
    // returned uncached, as Next leaves the write to the request's pending revalidates; outside
    // one, Next awaits the write and so throws (trial: Drizzle's bigint columns answered 500).
    if (!store) await save(result)
    else await save(result).catch((error: unknown) => logSaveError(store, invocationKey, error))
    return result
  }
  return cached as unknown as T
}

async function saveResult(cache: IncrementalCache, key: string, result: unknown, tags: string[], revalidate: number | false | undefined, fetchUrl: string): Promise<void> {
  await cache.setFetch(
    key,
    {
      kind: 'FETCH',
      data: { headers: {}, body: JSON.stringify(result), status: 200, url: '' },
      tags,
      revalidate: typeof revalidate !== 'number' ? CACHE_ONE_YEAR : Math.min(revalidate, INFINITE_CACHE),
    },
    fetchUrl,
  )
}

function logSaveError(store: RequestStore, invocationKey: string, error: unknown): void {
  store.handlers.logger.error(`route-handlers: caching the result of unstable_cache with key ${invocationKey} failed; it was returned uncached`, error)
}

function logRefreshError(store: RequestStore | undefined, invocationKey: string, error: unknown): void {
  const message = `route-handlers: revalidating cache with key: ${invocationKey}`
  if (store) store.handlers.logger.error(message, error)
  else console.error(message, error)
}
