import type { CacheControl } from './cache-handler.ts'
import { DEFAULT_EXPIRE_TIME } from './cache-life.ts'

/** Next.js's `getCacheControlHeader` (`server/lib/cache-control.ts`), as `next start` sends it. */
export function cacheControlHeader({ revalidate, expire }: CacheControl): string {
  const swr =
    typeof revalidate === 'number' && expire !== undefined
      ? revalidate >= expire
        ? ''
        : `stale-while-revalidate=${expire - revalidate}`
      : 'stale-while-revalidate'
  if (revalidate === 0) return 'private, no-cache, no-store, max-age=0, must-revalidate'
  const maxAge = typeof revalidate === 'number' ? revalidate : DEFAULT_EXPIRE_TIME
  return swr ? `s-maxage=${maxAge}, ${swr}` : `s-maxage=${maxAge}`
}

/** A route entry's cache control: a numeric `revalidate` expires after Next's default `expireTime` (a year). */
export function routeCacheControl(revalidate: number | false): CacheControl {
  return { revalidate, expire: revalidate !== false && revalidate > 0 ? DEFAULT_EXPIRE_TIME : undefined }
}
