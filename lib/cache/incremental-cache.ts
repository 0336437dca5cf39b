import type {
  CacheControl,
  CacheHandler,
  CacheHandlerValue,
  CachedFetchValue,
  CachedRouteValue,
  GetIncrementalFetchCacheContext,
  GetIncrementalResponseCacheContext,
  Revalidate,
  SetIncrementalResponseCacheContext,
  TagRevalidation,
} from './cache-handler.ts'
import { revalidationDurations, type CacheLifeProfile } from './cache-life.ts'
import { fetchEntryValue, routeEntryValue } from './entry-shape.ts'
import { MemoryCacheHandler } from './memory-cache-handler.ts'
import { STORE_UNAVAILABLE, StoreGuard, type Unavailable } from './store-guard.ts'
import { areTagsExpired, areTagsStale, recordRevalidation, type TagsManifest } from './tags-manifest.ts'
import type { Logger } from '../types.ts'

/** How many failed regenerations are remembered: past that, the list starts over. */
const HELD_OFF_LIMIT = 10_000

// A lookup's tags while no tag has been revalidated in the process: none can make an entry stale.
const NO_TAGS: string[] = []

/** Where Next.js keeps a route entry's tags: a header of the cached response. */
export const CACHE_TAGS_HEADER = 'x-next-cache-tags'

/**
 * Where a route entry keeps the cache control it was generated with (`revalidate`, and `expire`
 * after a comma): a `fetch()` may have lowered the route's `revalidate`, and every instance
 * reading the entry from a shared store must judge it by that (Next.js has it from its build's
 * prerender manifest, the same on every instance). Never sent to clients.
 */
export const CACHE_CONTROL_HEADER = 'x-route-handlers-cache-control'

/** `cacheControl` as {@link CACHE_CONTROL_HEADER} holds it. */
export function cacheControlHeaderValue({ revalidate, expire }: CacheControl): string {
  return expire === undefined ? String(revalidate) : `${revalidate},${expire}`
}

/** A tag to revalidate, as `revalidateTag(tag, profile)` left it for the end of the request. */
export interface PendingRevalidation {
  tag: string
  profile?: string | CacheLifeProfile
}

/** An entry found in the store, fresh or stale (expired ones are not found). */
export interface CacheLookup<V> {
  value: V
  /** Milliseconds since the epoch when the entry was written. */
  lastModified: number
  stale: boolean
  /** The cache control a route entry was written with, when it says (see {@link CACHE_CONTROL_HEADER}). */
  cacheControl?: CacheControl | undefined
}

/** A store's entry, and its tags' revalidation state when the store read them with it. */
interface FoundEntry {
  entry: CacheHandlerValue
  tagRevalidations?: ReadonlyMap<string, TagRevalidation>
}

export interface RouteLookupContext {
  /** The route's tags (its implicit ones), besides those stored with the entry. */
  tags: readonly string[]
  /** The route's own `revalidate`: used for an entry that does not say its own (written by another app). */
  revalidate: Revalidate
}

export interface FetchLookupContext {
  tags: readonly string[]
  softTags: readonly string[]
  revalidate: Revalidate | undefined
  fetchUrl?: string
}

export interface IncrementalCacheOptions {
  store: CacheHandler
  logger: Logger
  /** Milliseconds a store call may take before the request goes on uncached. */
  timeoutMs: number
}

/**
 * The cache engine between the requests and the store (Next.js's `IncrementalCache`): staleness
 * from `lastModified` and `revalidate`, tag expiry and staleness as Next 16's tags manifest has
 * them (from the store's `tagRevalidations` when it has one, else kept in this process), and
 * single flight per key (in this process, and across processes through `lockRegeneration`). Every
 * store call goes through a {@link StoreGuard}: a failing store makes lookups resolve
 * {@link STORE_UNAVAILABLE}, never throw or hang.
 */
export class IncrementalCache {
  readonly store: CacheHandler
  readonly #guard: StoreGuard
  readonly #localTags: TagsManifest = new Map()
  // The cache control each route entry read says it was written with (parsed once per entry).
  readonly #entryCacheControls = new WeakMap<CachedRouteValue, CacheControl | null>()
  readonly #flights = new Map<string, Promise<unknown>>()
  readonly #entryTags = new WeakMap<CachedRouteValue, string[]>()
  // Work that outlives its request (a regeneration, a refresh), for settled().
  readonly #background = new Set<Promise<void>>()
  readonly #readsTogether: boolean
  // Keys whose regeneration failed, until when the next one is held off.
  readonly #heldOff = new Map<string, number>()
  // The keys whose regeneration lock this engine took (and may renew or release): the store's
  // lock is per connection, which routers sharing one store share.
  readonly #locked = new Set<string>()
  readonly #logger: Logger
  #warnedMalformed = false

  constructor(options: IncrementalCacheOptions) {
    this.store = options.store
    this.#logger = options.logger
    this.#readsTogether = readsEntryAndTagsTogether(options.store)
    // The built-in memory store cannot hang: its calls need no timer.
    this.#guard = new StoreGuard(options.logger, options.timeoutMs, !(options.store instanceof MemoryCacheHandler))
  }

  /** A route response entry, or `null` when there is none (or it expired). */
  async getRoute(key: string, context: RouteLookupContext): Promise<CacheLookup<CachedRouteValue> | null | Unavailable> {
    const found = await this.#get(key, { kind: 'APP_ROUTE', isFallback: false, tags: [...context.tags] })
    if (found === STORE_UNAVAILABLE) return found
    const stored = found?.entry.value
    if (!stored || stored.kind !== 'APP_ROUTE') return null
    const value = routeEntryValue(stored)
    if (value === null) return this.#malformed(key)
    const cacheControl = this.#entryCacheControl(value)
    const lookup = await this.#judge(value, found!.entry.lastModified ?? 0, this.#routeTags(value, () => context.tags), cacheControl?.revalidate ?? context.revalidate, found!.tagRevalidations)
    if (lookup !== null && lookup !== STORE_UNAVAILABLE) lookup.cacheControl = cacheControl
    return lookup
  }

  /**
   * {@link getRoute} answered at once when the store is the built-in memory store (a cached HIT
   * then costs no promise); `undefined` when only the store can say. `implicitTags(route, path)`
   * (`path` mount-relative, as tags name it) is asked only once a tag has been revalidated (passed
   * with its arguments: no closure per HIT);
   * the lookup carries the cache control the entry was written with.
   */
  getRouteNow<R>(key: string, revalidate: Revalidate, implicitTags: (route: R, path: string) => readonly string[], route: R, path: string): CacheLookup<CachedRouteValue> | null | undefined {
    if (!(this.store instanceof MemoryCacheHandler)) return undefined
    const found = this.store.getNow(key)
    const value = found?.value
    if (!value || value.kind !== 'APP_ROUTE') return null
    const cacheControl = this.#entryCacheControl(value)
    const lastModified = found!.lastModified ?? 0
    const manifest = this.store.tagState()
    // No tag revalidated yet in this process (the usual case): the entry's tags cannot matter.
    const tags = manifest.size === 0 ? NO_TAGS : this.#routeTags(value, () => implicitTags(route, path))
    const lookup = judged(manifest, value, lastModified, tags, cacheControl?.revalidate ?? revalidate)
    if (lookup) lookup.cacheControl = cacheControl
    return lookup
  }

  // The route's implicit tags and those its entry was stored with (worked out once per entry read
  // from memory: the implicit tags of one key do not change).
  #routeTags(value: CachedRouteValue, implicitTags: () => readonly string[]): string[] {
    const known = this.#entryTags.get(value)
    if (known) return known
    const stored = value.headers[CACHE_TAGS_HEADER]
    const tags = new Set(implicitTags())
    if (typeof stored === 'string') for (const tag of stored.split(',')) if (tag) tags.add(tag)
    const list = [...tags]
    this.#entryTags.set(value, list)
    return list
  }

  #entryCacheControl(value: CachedRouteValue): CacheControl | undefined {
    let known = this.#entryCacheControls.get(value)
    if (known === undefined) {
      known = parseCacheControl(value.headers[CACHE_CONTROL_HEADER])
      this.#entryCacheControls.set(value, known)
    }
    return known ?? undefined
  }

  /** A `fetch()` or `unstable_cache` entry, or `null`. */
  async getFetch(key: string, context: FetchLookupContext): Promise<CacheLookup<CachedFetchValue> | null | Unavailable> {
    const found = await this.#get(key, {
      kind: 'FETCH',
      revalidate: context.revalidate,
      fetchUrl: context.fetchUrl,
      tags: [...context.tags],
      softTags: [...context.softTags],
    })
    if (found === STORE_UNAVAILABLE) return found
    const stored = found?.entry.value
    if (!stored || stored.kind !== 'FETCH') return null
    const value = fetchEntryValue(stored)
    if (value === null) return this.#malformed(key)
    const tags = [...new Set([...context.tags, ...context.softTags, ...(value.tags ?? [])])]
    return this.#judge(value, found!.entry.lastModified ?? 0, tags, context.revalidate ?? value.revalidate, found!.tagRevalidations)
  }

  // An entry whose shape is not Next's (a store that serializes bodies its own way) is a miss: the
  // request goes on uncached, and the first one is logged.
  #malformed(key: string): null {
    if (!this.#warnedMalformed) {
      this.#warnedMalformed = true
      this.#logger.warn(
        `route-handlers: the cache store gave back an entry for ${key} that is not in Next.js's shape (a route entry's \`body\` must be a Buffer, a fetch entry's \`data.body\` a string); such entries count as misses. A store that keeps entries as JSON must turn the body back into bytes.`,
      )
    }
    return null
  }

  // The store's entry, with its tags' revalidation state when the store reads both at once.
  async #get(key: string, ctx: GetIncrementalFetchCacheContext | GetIncrementalResponseCacheContext): Promise<FoundEntry | null | Unavailable> {
    const store = this.store
    if (this.#readsTogether) return this.#guard.call('get', () => store.getWithTagRevalidations!(key, ctx))
    const entry = await this.#guard.call('get', () => store.get(key, ctx))
    if (entry === STORE_UNAVAILABLE) return entry
    // A handler keeping entries in a Map answers `undefined` for a miss (Next's docs example).
    return entry == null ? null : { entry }
  }

  async #judge<V>(value: V, lastModified: number, tags: string[], revalidate: Revalidate, known?: ReadonlyMap<string, TagRevalidation>): Promise<CacheLookup<V> | null | Unavailable> {
    const manifest = known ?? (await this.#tagState(tags))
    if (manifest === STORE_UNAVAILABLE) return manifest
    return judged(manifest, value, lastModified, tags, revalidate)
  }

  async #tagState(tags: string[]): Promise<ReadonlyMap<string, TagRevalidation> | Unavailable> {
    if (tags.length === 0) return this.#localTags
    const store = this.store
    if (!store.tagRevalidations) return this.#localTags
    return this.#guard.call('tagRevalidations', () => store.tagRevalidations!(tags))
  }

  /** Writes a route response entry; resolves whether the store took it. */
  async setRoute(key: string, value: CachedRouteValue, cacheControl: CacheControl, tags: readonly string[]): Promise<boolean> {
    const context: SetIncrementalResponseCacheContext = { fetchCache: false, cacheControl, revalidate: cacheControl.revalidate, isFallback: false, tags: [...tags] }
    const done = await this.#guard.call('set', () => this.store.set(key, value, context), key)
    return done !== STORE_UNAVAILABLE
  }

  /** Writes a `fetch()` or `unstable_cache` entry. */
  async setFetch(key: string, value: CachedFetchValue, fetchUrl?: string): Promise<boolean> {
    const done = await this.#guard.call('set', () => this.store.set(key, value, { fetchCache: true, fetchUrl, tags: value.tags, revalidate: value.revalidate }), key)
    return done !== STORE_UNAVAILABLE
  }

  /**
   * Applies a request's pending `revalidateTag`/`revalidatePath`/`updateTag` calls, grouped by
   * profile as Next's `executeRevalidates` does. A tag under an unknown profile name is not
   * revalidated and Next's error is logged: Next applies them while the response goes out, which
   * an error there does not change (a CMS webhook would be retried forever). A store that does not
   * take them (down, too slow) rejects with `RH_ERR_CACHE_REVALIDATE_FAILED`.
   */
  async revalidate(pending: readonly PendingRevalidation[]): Promise<void> {
    const byDurations = new Map<string, { durations: { expire?: number } | undefined; tags: string[] }>()
    for (const { tag, profile } of pending) {
      let durations: { expire?: number } | undefined
      try {
        durations = revalidationDurations(profile)
      } catch (error) {
        this.#logger.error(`route-handlers: revalidateTag(${JSON.stringify(tag)}) was not applied`, error)
        continue
      }
      const group = JSON.stringify(durations ?? null)
      const entry = byDurations.get(group) ?? { durations, tags: [] }
      entry.tags.push(tag)
      byDurations.set(group, entry)
    }
    for (const { durations, tags } of byDurations.values()) {
      if (!this.store.tagRevalidations) recordRevalidation(this.#localTags, tags, durations)
      // Lost, a revalidation leaves every instance serving what it should have cleared, and the
      // caller (a CMS webhook) told it worked: the request fails instead, so it is tried again.
      const what = `the tag${tags.length === 1 ? '' : 's'} ${tags.map((tag) => JSON.stringify(tag)).join(', ')}`
      await this.#guard.callOrThrow('revalidateTag', what, () => this.store.revalidateTag(tags, durations))
    }
  }

  /**
   * Runs `work` once for `key` in this process: concurrent callers share its result (Next's
   * response cache batcher).
   */
  singleFlight<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#flights.get(key)
    if (running) return running as Promise<T>
    const flight = work().finally(() => this.#flights.delete(key))
    this.#flights.set(key, flight)
    return flight
  }

  /** Tracks `work`, which outlives the request that started it, until it settles (see settled()). */
  inBackground(work: Promise<unknown>): void {
    const tracked: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    ).finally(() => this.#background.delete(tracked))
    this.#background.add(tracked)
  }

  /** Resolves once the background work running now, and any it starts meanwhile, has settled. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.all(this.#background)
  }

  /** True while `key` is being produced in this process. */
  inFlight(key: string): boolean {
    return this.#flights.has(key)
  }

  /** Settles once the work running for `key` (see singleFlight) has, either way; `undefined` when none runs. */
  flightSettled(key: string): Promise<void> | undefined {
    return this.#flights.get(key)?.then(
      () => undefined,
      () => undefined,
    )
  }

  /**
   * Takes the right to regenerate `key` across processes (the store's `lockRegeneration`; without
   * one, or when the store fails, this process may go ahead).
   */
  async lockRegeneration(key: string, ttlMs: number): Promise<boolean> {
    const store = this.store
    if (!store.lockRegeneration) return true
    const locked = await this.#guard.call('lockRegeneration', () => store.lockRegeneration!(key, ttlMs))
    if (locked === true) this.#holds(key)
    return locked === STORE_UNAVAILABLE ? true : locked
  }

  /**
   * Keeps the regeneration lock of `key` this engine took while the regeneration runs: renewed
   * for `ttlMs` every third of it (with a store that renews its holder's lock, the Redis store),
   * for `longestMs` at most, so a regeneration that hangs lets another instance have a go after
   * that. Returns what stops it.
   */
  keepRegenerationLock(key: string, ttlMs: number, longestMs: number): () => void {
    const store = this.store
    if (!store.renewRegeneration || !this.#locked.has(key)) return () => {}
    const until = Date.now() + longestMs
    const timer = setInterval(() => {
      if (Date.now() >= until || !this.#locked.has(key)) return clearInterval(timer)
      void this.#guard.call('renewRegeneration', () => store.renewRegeneration!(key, ttlMs))
    }, ttlMs / 3)
    timer.unref()
    return () => clearInterval(timer)
  }

  #holds(key: string): void {
    // Locks left to expire (after failures) are forgotten past the bound; Redis lets them go anyway.
    if (this.#locked.size >= HELD_OFF_LIMIT) this.#locked.clear()
    this.#locked.add(key)
  }

  /**
   * After a failed regeneration of `key`: no regeneration of it for `ms`, in this process and, with
   * a store that locks, in every instance (the lock is taken again for that long, and left to expire).
   */
  async holdOffRegeneration(key: string, ms: number): Promise<void> {
    if (this.#heldOff.size >= HELD_OFF_LIMIT) this.#heldOff.clear()
    this.#heldOff.set(key, Date.now() + ms)
    const store = this.store
    if (!store.lockRegeneration) return
    // A store that renews its holder's lock (the Redis store) keeps it with no moment free in
    // between, where another instance would start the regeneration that just failed; a lock lost
    // meanwhile (or never reached) is taken if free. Another store's is released and taken again.
    if (store.renewRegeneration) {
      if (this.#locked.has(key) && (await this.#guard.call('renewRegeneration', () => store.renewRegeneration!(key, ms))) === true) return
    } else {
      await this.unlockRegeneration(key)
    }
    if ((await this.#guard.call('lockRegeneration', () => store.lockRegeneration!(key, ms))) === true) this.#holds(key)
  }

  /** True while a failed regeneration of `key` holds the next one off in this process. */
  regenerationHeldOff(key: string): boolean {
    const until = this.#heldOff.get(key)
    if (until === undefined) return false
    if (Date.now() < until) return true
    this.#heldOff.delete(key)
    return false
  }

  /** Releases the regeneration lock of `key` if this engine took it. */
  async unlockRegeneration(key: string): Promise<void> {
    if (!this.#locked.delete(key)) return
    const store = this.store
    if (store.unlockRegeneration) await this.#guard.call('unlockRegeneration', () => store.unlockRegeneration!(key))
  }

  /** Next calls it at the start of every request; stores may drop per-request memo there. */
  resetRequestCache(): void {
    try {
      this.store.resetRequestCache?.()
    } catch {
      // A store's per-request memo is its own business; a failure here must not fail the request.
    }
  }
}

// An entry as its tags and age leave it: gone (`null`) when a tag expired after it was written,
// else fresh or stale.
// `5,31536000` or `false` (see CACHE_CONTROL_HEADER); null for anything else.
function parseCacheControl(field: string | string[] | undefined): CacheControl | null {
  if (typeof field !== 'string') return null
  const [revalidateText, expireText] = field.split(',')
  const revalidate = revalidateText === 'false' ? false : Number(revalidateText)
  const expire = expireText === undefined ? undefined : Number(expireText)
  if ((revalidate !== false && !(revalidate >= 0)) || (expire !== undefined && !(expire >= 0))) return null
  return { revalidate, expire }
}

function judged<V>(manifest: ReadonlyMap<string, TagRevalidation>, value: V, lastModified: number, tags: string[], revalidate: Revalidate): CacheLookup<V> | null {
  if (areTagsExpired(manifest, tags, lastModified)) return null
  const aged = typeof revalidate === 'number' && Date.now() - lastModified > revalidate * 1000
  return { value, lastModified, stale: aged || areTagsStale(manifest, tags, lastModified), cacheControl: undefined }
}

/**
 * Whether lookups may use the store's `getWithTagRevalidations`: only beside `tagRevalidations`
 * (without it, tag state is this process's, which the store's answer would not include), and only
 * where the `get()` in force is the one of the class that defines it (a subclass overriding
 * `get()`, to add a layer or a log, would be passed over).
 */
function readsEntryAndTagsTogether(store: CacheHandler): boolean {
  if (typeof store.getWithTagRevalidations !== 'function' || typeof store.tagRevalidations !== 'function') return false
  return definer(store, 'getWithTagRevalidations') === definer(store, 'get')
}

// The object (an instance or a prototype) that holds `key` in the store's chain.
function definer(store: CacheHandler, key: keyof CacheHandler): object | null {
  for (let holder: object | null = store; holder !== null; holder = Object.getPrototypeOf(holder) as object | null) {
    if (Object.hasOwn(holder, key)) return holder
  }
  return null
}
