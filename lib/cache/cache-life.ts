import { routeHandlersError } from '../errors.ts'
import { processGlobal } from '../process-global.ts'

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

// The profiles of the `cache.cacheLife` option (next.config's `cacheLife`), by name, for the whole
// process: `cacheLife('biweekly')` in a shared module means one thing whichever mount calls it.
const customProfiles = processGlobal('cache-life-profiles', () => new Map<string, Readonly<CacheLifeProfile>>())

/**
 * A profile by name: one the `cache.cacheLife` option defined (a built-in one it redefines
 * included), else Next's built-in one, else `undefined`. A custom profile keeps the fields it was
 * given; where it has none, callers take the `default` profile's, as Next.js does.
 */
export function cacheLifeProfile(name: string): Readonly<CacheLifeProfile> | undefined {
  return customProfiles.get(name) ?? CACHE_LIFE_PROFILES[name]
}

/** The `default` profile, as the `cache.cacheLife` option may have redefined it: every field set. */
export function defaultLife(): Required<CacheLifeProfile> {
  return { ...CACHE_LIFE_PROFILES.default!, ...customProfiles.get('default') }
}

/**
 * Defines the `cache.cacheLife` option's profiles for the process, checked as `next build` checks
 * next.config's: seconds ≥ 0, `expire` not below `revalidate`; a profile without `stale` gets the
 * client router's default (five minutes). Two mounts may name one profile only with the same
 * values. Throws RH_ERR_OPTIONS_INVALID.
 */
export function defineCacheLifeProfiles(profiles: Record<string, CacheLifeProfile> | undefined): void {
  if (profiles === undefined) return
  if (typeof profiles !== 'object' || profiles === null) throw routeHandlersError('RH_ERR_OPTIONS_INVALID', ['`cache.cacheLife` must be an object of profiles'])
  for (const [name, given] of Object.entries(profiles)) {
    const profile = checkedProfile(name, given)
    const defined = customProfiles.get(name)
    if (defined !== undefined && JSON.stringify(defined) !== JSON.stringify(profile)) {
      throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`cache.cacheLife.${name}\` is defined twice in this process with different values: ${JSON.stringify(defined)} and ${JSON.stringify(profile)}`])
    }
    customProfiles.set(name, profile)
  }
}

function checkedProfile(name: string, given: CacheLifeProfile): CacheLifeProfile {
  const profile: CacheLifeProfile = { stale: DEFAULT_STALE }
  for (const field of ['stale', 'revalidate', 'expire'] as const) {
    const value = (given as Record<string, unknown> | null)?.[field]
    if (value === undefined) continue
    if (typeof value !== 'number' || !(value >= 0)) {
      throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`cache.cacheLife.${name}.${field}\` must be a number of seconds ≥ 0 (got ${JSON.stringify(value)})`])
    }
    profile[field] = value
  }
  if (profile.revalidate !== undefined && profile.expire !== undefined && profile.revalidate > profile.expire) {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`cache.cacheLife.${name}\`: expire (${profile.expire}) must be greater than revalidate (${profile.revalidate}), as Next.js requires`])
  }
  return profile
}

/** Next's `staleTimes.static`: a custom profile's `stale` when it gives none. */
const DEFAULT_STALE = 300

/**
 * What `revalidateTag(tag, profile)` hands the store (Next's `executeRevalidates`): the profile's
 * `expire`, or `undefined` (expire at once) without a profile. An unknown profile name throws
 * Next's error.
 */
export function revalidationDurations(profile: string | CacheLifeProfile | undefined): { expire?: number } | undefined {
  if (!profile) return undefined
  if (typeof profile === 'object') return { expire: profile.expire }
  const known = cacheLifeProfile(profile)
  // Next's words, then where the profile goes here (no next.config is read).
  if (!known) throw new Error(`Invalid profile provided "${profile}" must be configured under cacheLife in next.config or be "max" (with route-handlers: in the cache.cacheLife option)`)
  return { expire: known.expire ?? defaultLife().expire }
}
