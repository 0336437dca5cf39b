import { routeHandlersError } from '../errors.ts'
import type { Logger } from '../types.ts'
import type { CacheHandler, CacheHandlerClass, CacheHandlerContext } from './cache-handler.ts'
import { defineCacheLifeProfiles, type CacheLifeProfile } from './cache-life.ts'
import { IncrementalCache } from './incremental-cache.ts'
import { DEFAULT_MAX_BYTES, MemoryCacheHandler } from './memory-cache-handler.ts'

/** Milliseconds a store call may take before the request goes on uncached. */
export const DEFAULT_STORE_TIMEOUT = 1000

/** The `cache` option. */
export interface CacheOptions {
  /**
   * Where entries live: a Next.js `cacheHandler` (an instance, or the class a Next app's
   * `cacheHandler` module exports: `require('./cache-handler.js')`). Default: an in-memory LRU of
   * `maxBytes`.
   */
  store?: CacheHandler | CacheHandlerClass | undefined
  /** Bytes the default in-memory store may hold (Next's `cacheMaxMemorySize`). Default: 50 MB. */
  maxBytes?: number | undefined
  /** Milliseconds a store call may take; past it the request is answered uncached. Default: 1000. */
  timeout?: number | undefined
  /**
   * Custom `cacheLife` profiles, as next.config's `cacheLife` defines them
   * (`{ biweekly: { stale: 3600, revalidate: 900, expire: 1209600 } }`), for `cacheLife('biweekly')`
   * and `revalidateTag(tag, 'biweekly')`; a built-in name redefines that profile. One set per
   * process: two mounts may define one name only alike.
   */
  cacheLife?: Record<string, CacheLifeProfile> | undefined
}

/** The cache engine for the `cache` option (validated here, at start-up). */
export function createIncrementalCache(options: CacheOptions | undefined, logger: Logger): IncrementalCache {
  const maxBytes = positive(options?.maxBytes, 'cache.maxBytes') ?? DEFAULT_MAX_BYTES
  const timeoutMs = positive(options?.timeout, 'cache.timeout') ?? DEFAULT_STORE_TIMEOUT
  defineCacheLifeProfiles(options?.cacheLife)
  return new IncrementalCache({ store: resolveStore(options?.store, maxBytes), logger, timeoutMs })
}

function resolveStore(store: CacheHandler | CacheHandlerClass | undefined, maxBytes: number): CacheHandler {
  const context: CacheHandlerContext = {
    dev: process.env.NODE_ENV === 'development',
    maxMemoryCacheSize: maxBytes,
    revalidatedTags: [],
    _requestHeaders: {},
    fetchCacheKeyPrefix: '',
  }
  if (store === undefined) return new MemoryCacheHandler(context)
  const instance = typeof store === 'function' ? new store(context) : store
  if (!isCacheHandler(instance)) {
    // Next 16's `cacheHandlers` entries (for "use cache") have `refreshTags` and `updateTags` instead.
    const useCacheHandler = typeof (instance as { refreshTags?: unknown } | null)?.refreshTags === 'function'
    const what = useCacheHandler ? `: this looks like one of Next 16's cacheHandlers (for "use cache"), which are not accepted; "use cache" entries go to this store too` : ''
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`cache.store\` must be a Next.js cacheHandler (an object, or a class, with get, set and revalidateTag methods)${what}`])
  }
  return instance
}

function isCacheHandler(value: unknown): value is CacheHandler {
  const candidate = value as Partial<CacheHandler> | null
  return typeof candidate?.get === 'function' && typeof candidate.set === 'function' && typeof candidate.revalidateTag === 'function'
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value > 0)) throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`${name}\` must be a positive number (got ${String(value)})`])
  return value
}
