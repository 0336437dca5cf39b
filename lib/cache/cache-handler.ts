/**
 * The cache store contract: Next.js's own `cacheHandler` (next.config.js `cacheHandler`, the
 * incremental cache used for route handler responses, `fetch` and `unstable_cache`), so a handler
 * written for Next.js plugs in unchanged. Shapes follow Next.js 15/16
 * (`packages/next/src/server/lib/incremental-cache/index.ts`, `server/response-cache/types.ts`).
 *
 * Two optional methods go beyond Next's contract; our stores (memory, Redis) implement them, and a
 * third-party handler without them still works (tag state then lives in this process, and
 * stale-while-revalidate is single-flight per process only).
 */

export type Revalidate = number | false

export interface CacheControl {
  revalidate: Revalidate
  expire: number | undefined
}

/** A route handler's cached response (Next.js `CachedRouteValue`). */
export interface CachedRouteValue {
  kind: 'APP_ROUTE'
  body: Buffer
  status: number
  headers: Record<string, string | string[] | undefined>
}

/** A cached `fetch()` response or `unstable_cache` result (Next.js `CachedFetchValue`). */
export interface CachedFetchValue {
  kind: 'FETCH'
  data: {
    headers: Record<string, string>
    /** base64 for `fetch()`; the JSON text of the result for `unstable_cache`. */
    body: string
    url: string
    status?: number
  }
  tags?: string[]
  revalidate: number
}

export type IncrementalCacheValue = CachedRouteValue | CachedFetchValue

export interface CacheHandlerValue {
  /** Milliseconds since the epoch when the entry was set. */
  lastModified?: number
  age?: number
  cacheState?: string
  value: IncrementalCacheValue | null
}

export interface GetIncrementalFetchCacheContext {
  kind: 'FETCH'
  revalidate?: Revalidate
  fetchUrl?: string
  fetchIdx?: number
  tags?: string[]
  softTags?: string[]
}

export interface GetIncrementalResponseCacheContext {
  kind: 'APP_ROUTE'
  isRoutePPREnabled?: boolean
  isFallback: boolean
  /** Not in Next's type for this kind: passed anyway (the entry's tags, implicit ones included). */
  tags?: string[]
  softTags?: string[]
}

export interface SetIncrementalFetchCacheContext {
  fetchCache: true
  fetchUrl?: string
  fetchIdx?: number
  tags?: string[]
  isImplicitBuildTimeCache?: boolean
  /**
   * The entry's `revalidate`, as Next 14 and 15.0 passed it: handlers written for them
   * (@neshca/cache-handler) give their entries a lifetime from it.
   */
  revalidate?: Revalidate
}

export interface SetIncrementalResponseCacheContext {
  fetchCache?: false
  cacheControl?: CacheControl
  /** `cacheControl.revalidate`, as Next 14 and 15.0 passed it (see the fetch context's). */
  revalidate?: Revalidate
  isRoutePPREnabled?: boolean
  isFallback?: boolean
  /**
   * Not in Next's type for this kind (Next keeps them in the `x-next-cache-tags` header, which is
   * also set): passed so handlers written after Next's docs, which read `ctx.tags`, see them.
   */
  tags?: string[]
}

/** What a handler's constructor receives (Next.js `CacheHandlerContext`, the parts that apply). */
export interface CacheHandlerContext {
  dev?: boolean
  maxMemoryCacheSize?: number
  revalidatedTags: string[]
  _requestHeaders: Record<string, string | string[] | undefined>
  fetchCacheKeyPrefix?: string
}

/** When a tag was last revalidated: entries set before `stale` are stale, before `expired` gone. */
export interface TagRevalidation {
  /** Milliseconds since the epoch. */
  stale?: number
  /** Milliseconds since the epoch. */
  expired?: number
}

/** An entry with the revalidation state of its tags, as {@link CacheHandler.getWithTagRevalidations} reads them. */
export interface EntryWithTagRevalidations {
  entry: CacheHandlerValue
  /** Each of the entry's tags (stored with it, and the lookup's) that was ever revalidated. */
  tagRevalidations: Map<string, TagRevalidation>
}

export interface CacheHandler {
  get(
    cacheKey: string,
    ctx: GetIncrementalFetchCacheContext | GetIncrementalResponseCacheContext,
  ): Promise<CacheHandlerValue | null>
  set(
    cacheKey: string,
    data: IncrementalCacheValue | null,
    ctx: SetIncrementalFetchCacheContext | SetIncrementalResponseCacheContext,
  ): Promise<void>
  /** Next 16 passes `durations` (`{ expire }` in seconds) for `revalidateTag(tag, profile)`. */
  revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void>
  resetRequestCache?(): void

  /**
   * route-handlers extension: the revalidation state of these tags as every instance sees it
   * (shared stores). Without it, the cache keeps tag state in this process.
   */
  tagRevalidations?(tags: readonly string[]): Promise<Map<string, TagRevalidation>>
  /**
   * route-handlers extension: `get()` and `tagRevalidations()` of the entry's tags (those it was
   * stored with and the context's) at once, one round trip for a shared store. `null` as `get()`.
   */
  getWithTagRevalidations?(
    cacheKey: string,
    ctx: GetIncrementalFetchCacheContext | GetIncrementalResponseCacheContext,
  ): Promise<EntryWithTagRevalidations | null>
  /**
   * route-handlers extension: take the right to regenerate `cacheKey` for `ttlMs` (resolves
   * `false` when another instance holds it), so a stale entry is regenerated once across instances.
   */
  lockRegeneration?(cacheKey: string, ttlMs: number): Promise<boolean>
  unlockRegeneration?(cacheKey: string): Promise<void>
  /**
   * route-handlers extension: keep the lock this handler took for `cacheKey` for `ttlMs` from now
   * (resolves `false` when it no longer holds it), in one step: a failed regeneration holds the
   * others off with no moment free. Without it the engine releases the lock and takes it again.
   */
  renewRegeneration?(cacheKey: string, ttlMs: number): Promise<boolean>
}

/** A handler class as `next.config.js`'s `cacheHandler` module exports it. */
export type CacheHandlerClass = new (ctx: CacheHandlerContext) => CacheHandler
