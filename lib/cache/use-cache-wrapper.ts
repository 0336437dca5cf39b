import { AsyncLocalStorage } from 'node:async_hooks'
import { requestStorage, useRequestStore, type RequestStore } from '../context.ts'
import { inDraftMode } from '../next/draft-mode.ts'
import { processGlobal } from '../process-global.ts'
import { defaultLife, INFINITE_CACHE, type CacheLifeProfile } from './cache-life.ts'
import { defaultCache } from './default-cache.ts'
import type { IncrementalCache } from './incremental-cache.ts'
import { requestImplicitTags } from './request-tags.ts'
import { collectTags, consumerWillCache, lowerRevalidate, type CacheUnit } from './static-generation.ts'
import { STORE_UNAVAILABLE } from './store-guard.ts'
import { decodedResult, encodedResult } from './use-cache-result.ts'
import { useCacheKey } from './use-cache-key.ts'

/**
 * The runtime of `"use cache"` (`private-next-rsc-cache-wrapper` in the route graph): what a
 * function compiled by `lib/load/use-cache-directive.ts` calls instead of running its body.
 *
 * As in Next.js 16: the key is the function's id, the values it closes over and its arguments; the
 * entry lives `cacheLife()`'s profile (`default` when none: revalidate 15 min, never expires) and
 * carries `cacheTag()`'s tags plus the request's implicit tags as soft tags (so `revalidatePath`
 * reaches it); an entry past its `revalidate` is made again before use (Next's default handler in
 * production), one made stale by `revalidateTag(tag, profile)` is returned at once and refreshed in
 * the background; an inner cached
 * function's tags and lifetime join the outer one's and the GET being generated for the cache.
 * Entries go to the `cache` option's store as `FETCH` values, so a shared store (Redis) shares them.
 * `"use cache: private"` runs uncached (Next keeps those entries in the browser only).
 */

type CacheScope = Extract<CacheUnit, { type: 'cache' }>

// Outside any request (the host app calling a cached function): where cacheTag()/cacheLife() write.
const scopeStorage = processGlobal('use-cache-scope', () => new AsyncLocalStorage<CacheScope>())

// Marks the stored value as this wrapper's (V8's serialization of the result, base64).
const ENCODING_HEADER = 'x-route-handlers-use-cache'

// cacheTag()/cacheLife() and the dynamic-data errors read the request store's unit.
useRequestStore()

/** The `"use cache"` scope `cacheTag()`/`cacheLife()` are called in, if any. */
export function currentCacheScope(): CacheScope | undefined {
  const unit = requestStorage.getStore()?.unit
  if (unit) return unit.type === 'cache' ? unit : undefined
  return scopeStorage.getStore()
}

export function cache(
  kind: string,
  id: string,
  bound: readonly unknown[],
  args: ArrayLike<unknown>,
  fn: (...args: unknown[]) => Promise<unknown>,
  thisArg: unknown,
  source = '',
): Promise<unknown> {
  // An async function never throws at its call: a key that cannot be made rejects (a cached arrow
  // function's outer wrapper is not async itself).
  try {
    const list = Array.from(args)
    const parent = requestStorage.getStore()
    const engine = parent?.handlers.cache ?? defaultCache()
    if (kind === 'private' || !engine) return fn.apply(thisArg, list)
    return cached(engine, parent, id, useCacheKey(id, source, bound, list), () => fn.apply(thisArg, list))
  } catch (error) {
    return Promise.reject(error)
  }
}

async function cached(
  engine: IncrementalCache,
  parent: RequestStore | undefined,
  id: string,
  key: string,
  run: () => Promise<unknown>,
): Promise<unknown> {
  const outer = currentCacheScope()
  const fetchUrl = `use cache ${id}`
  // Draft mode, as in Next.js: the body runs (in its cache scope) and nothing is read or saved.
  if (parent && inDraftMode(parent)) {
    const draft = await generate(engine, parent, key, fetchUrl, run, false)
    propagate(parent, outer, draft.tags, draft.life)
    return ownCopy(draft)
  }
  const found = await engine.getFetch(key, { tags: [], softTags: requestImplicitTags(parent), revalidate: undefined, fetchUrl })
  if (found && found !== STORE_UNAVAILABLE && found.value.data.headers[ENCODING_HEADER] !== undefined) {
    const life = lifeOf(found.value.data.headers[ENCODING_HEADER]!)
    const result = decodedResult(found.value.data.body)
    const age = Date.now() - found.lastModified
    // Past its `revalidate`, made again before use, as Next's default "use cache" handler does in
    // production (its entries expire then: "unlikely that a new entry will be able to be used before
    // it is dropped"). Stale by a tag revalidated with a profile, served while refreshed, unless
    // what is made now is cached itself (a GET generated for its entry, an outer cached function:
    // Next's willConsumerServerCache), which must not hold stale data.
    const expired = age > life.revalidate * 1000 || (life.expire < INFINITE_CACHE && age > life.expire * 1000)
    const staleForCache = found.stale && (consumerWillCache(parent) || outer !== undefined)
    if (result.ok && !expired && !staleForCache) {
      propagate(parent, outer, found.value.tags ?? [], life)
      if (found.stale && !engine.inFlight(key)) {
        const refresh = engine.singleFlight(key, () => generate(engine, parent, key, fetchUrl, run))
        engine.inBackground(refresh.catch((error: unknown) => logRefreshError(parent, id, error)))
      }
      return result.value
    }
  }
  const fresh = await engine.singleFlight(key, () => generate(engine, parent, key, fetchUrl, run, found !== STORE_UNAVAILABLE))
  propagate(parent, outer, fresh.tags, fresh.life)
  return ownCopy(fresh)
}

// Callers that joined one run share its result: each gets its own copy, as Next decodes one per
// caller, so one request's changes to it never reach another's.
function ownCopy(generated: Generated): unknown {
  const copy = decodedResult(generated.encoded)
  return copy.ok ? copy.value : generated.value
}

interface Generated {
  value: unknown
  /** The value as stored (what Flight keeps of it, in V8's serialization, base64). */
  encoded: string
  tags: string[]
  life: Required<CacheLifeProfile>
}

// Runs the body in a scope of its own, and stores what it resolves to.
async function generate(
  engine: IncrementalCache,
  parent: RequestStore | undefined,
  key: string,
  fetchUrl: string,
  run: () => Promise<unknown>,
  save = true,
): Promise<Generated> {
  const scope: CacheScope = { type: 'cache', tags: [] }
  const value = parent ? await requestStorage.run({ ...parent, unit: scope }, run) : await scopeStorage.run(scope, run)
  const life = fullLife(scope.life)
  // Made also when nothing is stored (draft mode, the store down): a result Next could not cache
  // fails the same way whatever the store does.
  const encoded = encodedResult(value, fetchUrl.slice('use cache '.length))
  if (save) {
    await engine.setFetch(
      key,
      {
        kind: 'FETCH',
        data: { headers: { [ENCODING_HEADER]: JSON.stringify(life) }, body: encoded, url: fetchUrl, status: 200 },
        tags: scope.tags,
        revalidate: life.revalidate,
      },
      fetchUrl,
    )
  }
  return { value, encoded, tags: scope.tags, life }
}

// An inner cached function's tags and lifetime bound the outer one's, and the GET being generated
// (its `revalidate` and `expire`: the entry's Cache-Control); inside `unstable_cache`, nothing, as
// Next's propagateCacheLifeAndTags stops there (review: the route's lifetime hung on whether the
// `unstable_cache` entry was a miss).
function propagate(parent: RequestStore | undefined, outer: CacheScope | undefined, tags: readonly string[], life: Required<CacheLifeProfile>): void {
  if (outer) {
    for (const tag of tags) if (!outer.tags.includes(tag)) outer.tags.push(tag)
    outer.life = {
      stale: Math.min(outer.life?.stale ?? life.stale, life.stale),
      revalidate: Math.min(outer.life?.revalidate ?? life.revalidate, life.revalidate),
      expire: Math.min(outer.life?.expire ?? life.expire, life.expire),
    }
    return
  }
  const generation = parent?.unit?.type === 'unstable-cache' ? undefined : parent?.generation
  if (!generation) return
  collectTags(generation, tags)
  lowerRevalidate(generation, life.revalidate)
  if (life.expire < (generation.expire ?? INFINITE_CACHE)) generation.expire = life.expire
}

function lifeOf(header: string): Required<CacheLifeProfile> {
  try {
    return fullLife(JSON.parse(header) as CacheLifeProfile)
  } catch {
    return fullLife(undefined)
  }
}

// cacheLife()'s profile with the `default` profile's values where it has none.
function fullLife(life: CacheLifeProfile | undefined): Required<CacheLifeProfile> {
  const fallback = defaultLife()
  return { stale: life?.stale ?? fallback.stale, revalidate: life?.revalidate ?? fallback.revalidate, expire: life?.expire ?? fallback.expire }
}

function logRefreshError(store: RequestStore | undefined, id: string, error: unknown): void {
  const message = `route-handlers: refreshing the "use cache" entry of ${id} failed; the stale entry stays`
  if (store) store.handlers.logger.error(message, error)
  else console.error(message, error)
}
