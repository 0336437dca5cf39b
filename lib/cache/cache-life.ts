/** Next.js's "never": a lifetime this long is unbounded (`INFINITE_CACHE`, 0xfffffffe seconds). */
export const INFINITE_CACHE = 0xfffffffe

/** Next.js's default `expireTime`: entries with a numeric `revalidate` expire after a year. */
export const DEFAULT_EXPIRE_TIME = 31536000

/** A `cacheLife()` profile, in seconds. */
export interface CacheLifeProfile {
  stale?: number
  revalidate?: number
  expire?: number
}

/**
 * Next.js's built-in `cacheLife` profiles (`server/config-shared.ts`, Next 15/16); a profile
 * without `stale` gets the client router's default (`staleTimes.static`, five minutes).
 */
export const CACHE_LIFE_PROFILES: Readonly<Record<string, Readonly<Required<CacheLifeProfile>>>> = {
  default: { stale: 300, revalidate: 900, expire: INFINITE_CACHE },
  seconds: { stale: 30, revalidate: 1, expire: 60 },
  minutes: { stale: 300, revalidate: 60, expire: 3600 },
  hours: { stale: 300, revalidate: 3600, expire: 86400 },
  days: { stale: 300, revalidate: 86400, expire: 604800 },
  weeks: { stale: 300, revalidate: 604800, expire: 2592000 },
  max: { stale: 300, revalidate: 2592000, expire: INFINITE_CACHE },
}

/**
 * What `revalidateTag(tag, profile)` hands the store (Next's `executeRevalidates`): the profile's
 * `expire`, or `undefined` (expire at once) without a profile. An unknown profile name throws
 * Next's error.
 */
export function revalidationDurations(profile: string | CacheLifeProfile | undefined): { expire?: number } | undefined {
  if (!profile) return undefined
  if (typeof profile === 'object') return { expire: profile.expire }
  const known = CACHE_LIFE_PROFILES[profile]
  if (!known) throw new Error(`Invalid profile provided "${profile}" must be configured under cacheLife in next.config or be "max"`)
  return { expire: known.expire }
}
