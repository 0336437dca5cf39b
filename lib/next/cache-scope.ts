import { requestStorage } from '../context.ts'
import { cacheLifeProfile, defaultLife, INFINITE_CACHE, type CacheLifeProfile } from '../cache/cache-life.ts'
import { markScopeDynamic } from '../cache/static-generation.ts'
import { validateTags } from '../cache/validate-tags.ts'
import { currentCacheScope } from '../cache/use-cache-wrapper.ts'

/**
 * Opts the current scope out of caching (Next.js's `unstable_noStore()`): a GET being generated
 * for the cache with `dynamic = 'auto'` becomes dynamic. Outside a request it does nothing.
 *
 * @example
 * export async function GET() {
 *   unstable_noStore()
 *   return Response.json({ at: Date.now() })
 * }
 */
export function unstable_noStore(): void {
  // Inside unstable_cache or "use cache" Next ignores it (the cached function's result is cached regardless).
  markScopeDynamic(requestStorage.getStore(), 'unstable_noStore()')
}

/**
 * Tags the current `"use cache"` entry; outside one it throws Next.js's error.
 *
 * @example
 * async function getPosts() {
 *   'use cache'
 *   cacheTag('posts')
 * }
 */
export function cacheTag(...tags: string[]): void {
  const unit = currentCacheScope()
  if (!unit) throw new Error('`cacheTag()` can only be called inside a "use cache" function.')
  for (const tag of validateTags(tags, '`cacheTag()`')) if (!unit.tags.includes(tag)) unit.tags.push(tag)
}

/**
 * Sets the lifetime of the current `"use cache"` entry: a profile name (`'default'`, `'seconds'`,
 * `'minutes'`, `'hours'`, `'days'`, `'weeks'`, `'max'`, or one of the `cache.cacheLife` option) or
 * `{ stale, revalidate, expire }`.
 * Outside a `"use cache"` function it throws Next.js's error.
 *
 * @example
 * async function getPosts() {
 *   'use cache'
 *   cacheLife('hours')
 * }
 */
export function cacheLife(profile: string | CacheLifeProfile): void {
  const unit = currentCacheScope()
  if (!unit) throw new Error('`cacheLife()` can only be called inside a "use cache" function.')
  if (typeof profile === 'string') {
    const known = cacheLifeProfile(profile)
    if (!known) {
      throw new Error(
        `Unknown cacheLife profile "${profile}" is not configured in next.config.js\n` +
          'route-handlers reads no next.config: define it in the cache.cacheLife option:\n' +
          `routeHandlers({ dir, cache: { cacheLife: { "${profile}": { stale, revalidate, expire } } } })`,
      )
    }
    unit.life = narrower(unit.life, finiteLife({ ...defaultLife(), ...known }))
    return
  }
  unit.life = narrower(unit.life, finiteLife({ ...defaultLife(), ...checkedLife(profile) }))
}

const FALSE_GIVEN: Record<keyof CacheLifeProfile, string> = {
  stale: 'Pass `Infinity` instead of `false` if you want to cache on the client forever without checking with the server.',
  revalidate: 'Pass `Infinity` instead of `false` if you do not want to revalidate by time.',
  expire: 'Pass `Infinity` instead of `false` if you want to cache on the server forever without checking with the origin.',
}

// Next's validateAndNormalizeCacheLifeProfile for a profile given inline, with its errors (review:
// `{ revalidate: 3600, expire: 60 }` was taken as it was).
function checkedLife(profile: CacheLifeProfile): CacheLifeProfile {
  const checked: CacheLifeProfile = {}
  for (const key of ['stale', 'revalidate', 'expire'] as const) {
    const value: unknown = profile[key]
    if (value === undefined) continue
    if (value === false) throw new Error(FALSE_GIVEN[key])
    if (typeof value !== 'number') throw new Error(`The ${key} option must be a number of seconds.`)
    if (Number.isNaN(value) || value === -Infinity) {
      throw new Error(`Invalid \`cacheLife()\` option "${key}" provided, expected a finite number of seconds or Infinity, received ${value}.`)
    }
    checked[key] = value
  }
  if (checked.revalidate !== undefined && checked.expire !== undefined && checked.revalidate > checked.expire) {
    throw new Error(
      'If providing both the revalidate and expire options, the expire option must be greater than the revalidate option. ' +
        'The expire option indicates how many seconds from the start until it can no longer be used.',
    )
  }
  return checked
}

// `Infinity` as Next.js keeps it, INFINITE_CACHE: the lifetime is stored as JSON with the entry,
// where `Infinity` would read back as `null`, then as the default profile's 15 minutes (review).
function finiteLife(life: CacheLifeProfile): CacheLifeProfile {
  const finite = (seconds: number | undefined) => (seconds === Infinity ? INFINITE_CACHE : seconds)
  return { stale: finite(life.stale), revalidate: finite(life.revalidate), expire: finite(life.expire) }
}

// Several cacheLife() calls in one scope: the shortest of each lifetime wins, as in Next.js.
function narrower(current: CacheLifeProfile | undefined, next: CacheLifeProfile): CacheLifeProfile {
  if (!current) return { ...next }
  const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b))
  return { stale: min(current.stale, next.stale), revalidate: min(current.revalidate, next.revalidate), expire: min(current.expire, next.expire) }
}
