import type { CacheControl } from './cache-handler.ts'
import { DEFAULT_EXPIRE_TIME, INFINITE_CACHE } from './cache-life.ts'

/**
 * Next.js's `getCacheControlHeader` (`server/lib/cache-control.ts`, 15.2 and later), as
 * `next start` sends it: `stale-while-revalidate` only for a numeric `revalidate` below `expire`
 * (`s-maxage=31536000` for `revalidate = false`).
 */
export function cacheControlHeader({ revalidate, expire }: CacheControl): string {
  if (revalidate === 0) return 'private, no-cache, no-store, max-age=0, must-revalidate'
  const swr = typeof revalidate === 'number' && expire !== undefined && revalidate < expire ? `, stale-while-revalidate=${expire - revalidate}` : ''
  return `s-maxage=${typeof revalidate === 'number' ? revalidate : DEFAULT_EXPIRE_TIME}${swr}`
}

/**
 * A route entry's cache control, as Next's app-route template makes it: `expire` is the shortest a
 * `"use cache"` function's `cacheLife()` gave while the GET was generated (`collected`), else a
 * numeric `revalidate` expires after Next's default `expireTime` (a year).
 */
export function routeCacheControl(revalidate: number | false, collected?: number): CacheControl {
  if (collected !== undefined && collected < INFINITE_CACHE) return { revalidate, expire: collected }
  return { revalidate, expire: revalidate !== false && revalidate > 0 ? DEFAULT_EXPIRE_TIME : undefined }
}
