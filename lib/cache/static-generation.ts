import type { RequestStore } from '../context.ts'
import type { Revalidate } from './cache-handler.ts'
import { defaultLife, type CacheLifeProfile } from './cache-life.ts'

/** A cached GET's `dynamic` segment config, once it is known to be generated for the cache. */
export type StaticMode = 'auto' | 'force-static' | 'error'

const DYNAMIC_RENDERING_DOCS = 'https://nextjs.org/docs/app/building-your-application/rendering/static-and-dynamic#dynamic-rendering'

/**
 * A GET running to fill its route's cache entry: what Next.js's prerender store collects while a
 * route handler is statically generated (`revalidate` lowered by `fetch()` and `unstable_cache`,
 * the tags of the entry) and how request data reads there (`dynamic`).
 */
export interface StaticGeneration {
  readonly dynamic: StaticMode
  /** The route as Next.js names it in messages: `/blog/[slug]`. */
  readonly route: string
  revalidate: Revalidate
  /** The shortest `expire` of the `"use cache"` functions the GET called (Next's `collectedExpire`). */
  expire?: number
  readonly tags: string[]
  /** The first dynamic data the handler read (`headers()`, `request.url`, …): the route is dynamic. */
  usedDynamic?: string
}

/** Next.js's cache work units, as far as they apply here. */
export type CacheUnit =
  | { readonly type: 'unstable-cache' }
  /** A `"use cache"` function (not implemented here yet): `cacheTag()`/`cacheLife()` write to it. */
  | { readonly type: 'cache'; readonly tags: string[]; life?: CacheLifeProfile }

/**
 * Called when a handler reads request data (`headers()`, `cookies()`, `connection()`,
 * `unstable_noStore()`, the request's `headers`/`url`/body, `nextUrl.search…`), as Next's
 * `trackDynamicDataAccessed`: inside `unstable_cache` it throws Next's error; while the route is
 * generated for the cache, `dynamic = 'error'` throws Next's error, `'auto'` makes the route
 * dynamic, and `'force-static'` answers `true`: the data reads as empty.
 */
export function trackDynamicAccess(store: RequestStore | undefined, expression: string): boolean {
  if (!store) return false
  const route = store.generation?.route ?? store.route?.entry.pattern ?? ''
  if (store.unit?.type === 'unstable-cache') {
    throw new Error(
      `Route ${route} used "${expression}" inside a function cached with "unstable_cache(...)". Accessing Dynamic data sources inside a cache scope is not supported. If you need this data inside a cached function use "${expression}" outside of the cached function and pass the required dynamic data in as an argument. See more info here: https://nextjs.org/docs/app/api-reference/functions/unstable_cache`,
    )
  }
  if (store.unit?.type === 'cache') {
    throw new Error(
      `Route ${route} used "${expression}" inside "use cache". Accessing Dynamic data sources inside a cache scope is not supported. If you need this data inside a cached function use "${expression}" outside of the cached function and pass the required dynamic data in as an argument. See more info here: https://nextjs.org/docs/messages/next-request-in-use-cache`,
    )
  }
  const generation = store.generation
  if (!generation) return false
  if (generation.dynamic === 'force-static') return true
  if (generation.dynamic === 'error') throw staticBailout(route, expression)
  generation.usedDynamic ??= expression
  return false
}

/**
 * Next.js's `markCurrentScopeAsDynamic` (a `revalidate: 0` fetch, `unstable_noStore()`): nothing
 * inside a cache scope (`unstable_cache`, `"use cache"`), whose result is cached as a whole; else
 * as a read of request data (see trackDynamicAccess). Trial: a fetch inside `unstable_cache` in a
 * `revalidate = 3600` route was a 500 here, a cached 200 under `next start`.
 */
export function markScopeDynamic(store: RequestStore | undefined, expression: string): void {
  if (store === undefined || store.unit !== undefined) return
  trackDynamicAccess(store, expression)
}

/**
 * Next.js's `willConsumerServerCache`: what is computed now is kept in the server cache (a GET
 * generated for its cache entry, on a MISS or a regeneration, or a `"use cache"`/`unstable_cache`
 * scope), so a stale cached value found on the way is not used: fresh data is waited for (review).
 */
export function consumerWillCache(store: RequestStore | undefined): boolean {
  return store !== undefined && (store.generation !== undefined || store.unit !== undefined)
}

/** Next.js's `StaticGenBailoutError` for `dynamic = 'error'`. */
export function staticBailout(route: string, expression: string): Error {
  const error = new Error(
    `Route ${route} with \`dynamic = "error"\` couldn't be rendered statically because it used \`${expression}\`. See more info here: ${DYNAMIC_RENDERING_DOCS}`,
  )
  return Object.assign(error, { code: 'NEXT_STATIC_GEN_BAILOUT' })
}

/**
 * A cached `fetch()`'s or `unstable_cache`'s tags and lifetime, where Next.js collects them (its
 * `revalidateStore`): the `"use cache"` function they run in, whose entry they bound (it hands
 * them on to the GET being generated when it is done), else that GET; inside `unstable_cache`,
 * nowhere (its own go to the GET). Review: a `"use cache"` entry over a `revalidate: 1` fetch lived
 * the default 15 minutes, and `revalidateTag()` of the fetch's tag left it alone.
 */
export function collectCaching(store: RequestStore | undefined, revalidate: Revalidate | undefined, tags: readonly string[]): void {
  const unit = store?.unit
  if (unit === undefined) {
    lowerRevalidate(store?.generation, revalidate)
    collectTags(store?.generation, tags)
    return
  }
  if (unit.type !== 'cache') return
  for (const tag of tags) if (!unit.tags.includes(tag)) unit.tags.push(tag)
  if (typeof revalidate === 'number' && revalidate < (unit.life?.revalidate ?? defaultLife().revalidate)) unit.life = { ...unit.life, revalidate }
}

/** Lowers the route's collected `revalidate` to `revalidate` (a fetch's or `unstable_cache`'s). */
export function lowerRevalidate(generation: StaticGeneration | undefined, revalidate: Revalidate | undefined): void {
  if (!generation || revalidate === undefined || revalidate === false) return
  if (generation.revalidate === false || revalidate < generation.revalidate) generation.revalidate = revalidate
}

/** Adds tags to the route's collected tags (a fetch's or `unstable_cache`'s). */
export function collectTags(generation: StaticGeneration | undefined, tags: readonly string[]): void {
  if (!generation) return
  for (const tag of tags) if (!generation.tags.includes(tag)) generation.tags.push(tag)
}
