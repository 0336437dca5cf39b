import { randomUUID } from 'node:crypto'
import type {
  CacheHandler,
  CacheHandlerValue,
  EntryWithTagRevalidations,
  GetIncrementalFetchCacheContext,
  GetIncrementalResponseCacheContext,
  IncrementalCacheValue,
  SetIncrementalFetchCacheContext,
  SetIncrementalResponseCacheContext,
  TagRevalidation,
} from '../cache-handler.ts'
import { routeHandlersError } from '../../errors.ts'
import { decodeEntry, encodeEntry } from './entry-frame.ts'
import type { RedisConnection } from './redis-connection.ts'
import { GET_ENTRY, RENEW, REVALIDATE_TAGS, SET_ENTRY, UNLOCK } from './redis-scripts.ts'

/** What every handler on one connection shares (a Next.js app makes one handler per request). */
export interface RedisStoreState {
  connection: RedisConnection
  keyPrefix: string
  /** Seconds an entry lives in Redis when it carries no `expire` of its own. */
  defaultExpireSeconds: number
  /** The largest entry kept, in bytes as stored. */
  maxEntryBytes: number
  /** The token of each regeneration lock this process holds, by cache key. */
  lockTokens: Map<string, string>
}

/** The header Next.js keeps a cached response's tags in. */
const CACHE_TAGS_HEADER = 'x-next-cache-tags'

/**
 * The Redis cache store: Next.js's `cacheHandler` contract plus route-handlers' shared tag state
 * and regeneration lock, so every instance on one Redis shares entries, tag revalidations and
 * single-flight regeneration. Create it with `redisCache()` (or `redisCacheHandlerClass()` for a
 * Next.js app's `cacheHandler`).
 *
 * @example
 * const store = redisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
 * await store.revalidateTag('products')
 */
export class RedisCacheHandler implements CacheHandler {
  readonly #state: RedisStoreState
  /** Tags revalidated earlier in this request (Next.js's `ctx.revalidatedTags`, class form only). */
  readonly #revalidatedTags: readonly string[]

  constructor(state: RedisStoreState, revalidatedTags: readonly string[] = []) {
    this.#state = state
    this.#revalidatedTags = revalidatedTags
  }

  /** The entry, or null when there is none or one of its tags expired after it was set. */
  async get(
    cacheKey: string,
    ctx: GetIncrementalFetchCacheContext | GetIncrementalResponseCacheContext,
  ): Promise<CacheHandlerValue | null> {
    return (await this.getWithTagRevalidations(cacheKey, ctx))?.entry ?? null
  }

  /** {@link get} and the revalidation state of the entry's tags, in one round trip. */
  async getWithTagRevalidations(
    cacheKey: string,
    ctx: GetIncrementalFetchCacheContext | GetIncrementalResponseCacheContext,
  ): Promise<EntryWithTagRevalidations | null> {
    const tags = [...(ctx.tags ?? []), ...(ctx.softTags ?? [])]
    if (ctx.kind === 'FETCH' && tags.some((tag) => this.#revalidatedTags.includes(tag))) return null
    const reply = await this.#state.connection.runScript(GET_ENTRY, [this.#entryKey(cacheKey), this.#tagsKey()], tags, true)
    if (!Array.isArray(reply) || !Buffer.isBuffer(reply[0])) return null
    return { entry: decodeEntry(reply[0]), tagRevalidations: tagStates(reply as Array<Buffer | null>) }
  }

  /**
   * Stores an entry for its `expire` (or `defaultExpireSeconds`), after which Redis drops it.
   * `null` removes the entry. An entry over `maxEntryBytes` is not stored: it rejects with
   * `RH_ERR_CACHE_ENTRY_TOO_LARGE`, having removed any older entry under the key.
   */
  async set(
    cacheKey: string,
    data: IncrementalCacheValue | null,
    ctx: SetIncrementalFetchCacheContext | SetIncrementalResponseCacheContext,
  ): Promise<void> {
    if (data === null) {
      await this.#state.connection.send(['DEL', this.#entryKey(cacheKey)])
      return
    }
    // As Next.js's file-system cache: a fetch entry keeps the tags it was set with.
    const value: IncrementalCacheValue = data.kind === 'FETCH' && ctx.tags ? { ...data, tags: ctx.tags } : data
    const { tags, payload } = encodeEntry(value, entryTags(value, ctx))
    if (payload.byteLength > this.#state.maxEntryBytes) {
      // The older entry would otherwise be served on, and regenerated, as stale.
      await this.#state.connection.send(['DEL', this.#entryKey(cacheKey)])
      throw routeHandlersError('RH_ERR_CACHE_ENTRY_TOO_LARGE', [cacheKey, payload.byteLength, this.#state.maxEntryBytes])
    }
    const ttlMs = Math.max(1, Math.round(this.#expireSeconds(ctx) * 1000))
    await this.#state.connection.runScript(SET_ENTRY, [this.#entryKey(cacheKey)], [tags, payload, String(ttlMs)])
  }

  /**
   * Next.js 16's `revalidateTag`: with `durations` the tags are stale now (served once more while
   * they regenerate) and expire after `durations.expire` seconds when given; without, they expire
   * now. Every instance on this Redis sees it on its next read.
   */
  async revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void> {
    const list = typeof tags === 'string' ? [tags] : tags
    if (list.length === 0) return
    const mode = durations ? 'stale' : 'expire'
    const expire = durations?.expire === undefined ? '' : String(durations.expire)
    await this.#state.connection.runScript(REVALIDATE_TAGS, [this.#tagsKey()], [mode, expire, ...list])
  }

  /** Nothing to reset: the store keeps no per-request state. */
  resetRequestCache(): void {}

  /** The revalidation state of these tags as every instance sees it, in one round trip. */
  async tagRevalidations(tags: readonly string[]): Promise<Map<string, TagRevalidation>> {
    const unique = [...new Set(tags)]
    const states = new Map<string, TagRevalidation>()
    if (unique.length === 0) return states
    const fields = unique.flatMap((tag) => [`s:${tag}`, `x:${tag}`])
    const reply = (await this.#state.connection.send(['HMGET', this.#tagsKey(), ...fields])) as Array<string | null>
    unique.forEach((tag, index) => addRevalidation(states, tag, reply[index * 2], reply[index * 2 + 1]))
    return states
  }

  /** Takes the right to regenerate `cacheKey` for `ttlMs` (Redis `SET NX PX`); false when taken. */
  async lockRegeneration(cacheKey: string, ttlMs: number): Promise<boolean> {
    const token = randomUUID()
    const reply = await this.#state.connection.send(['SET', this.#lockKey(cacheKey), token, 'NX', 'PX', milliseconds(ttlMs)])
    if (reply !== 'OK') return false
    this.#state.lockTokens.set(cacheKey, token)
    return true
  }

  /**
   * Keeps the lock this process took for `cacheKey` for `ttlMs` from now, in one command (a failed
   * regeneration holding the others off, with no moment free in between); false when it no longer
   * holds it (it timed out, and may have moved on).
   */
  async renewRegeneration(cacheKey: string, ttlMs: number): Promise<boolean> {
    const token = this.#state.lockTokens.get(cacheKey)
    if (token === undefined) return false
    if ((await this.#state.connection.runScript(RENEW, [this.#lockKey(cacheKey)], [token, milliseconds(ttlMs)])) === 1) return true
    this.#state.lockTokens.delete(cacheKey)
    return false
  }

  /** Releases the lock if this process still holds it (not once it timed out and another took it). */
  async unlockRegeneration(cacheKey: string): Promise<void> {
    const token = this.#state.lockTokens.get(cacheKey)
    if (token === undefined) return
    this.#state.lockTokens.delete(cacheKey)
    await this.#state.connection.runScript(UNLOCK, [this.#lockKey(cacheKey)], [token])
  }

  /** Closes the Redis client if the store created it (from a `url`); a client passed in stays open. */
  async close(): Promise<void> {
    this.#state.connection.close()
  }

  #expireSeconds(ctx: SetIncrementalFetchCacheContext | SetIncrementalResponseCacheContext): number {
    const expire = ctx.fetchCache ? undefined : ctx.cacheControl?.expire
    return typeof expire === 'number' && expire > 0 ? expire : this.#state.defaultExpireSeconds
  }

  #entryKey(cacheKey: string): string {
    return `${this.#state.keyPrefix}entry:${cacheKey}`
  }

  #tagsKey(): string {
    return `${this.#state.keyPrefix}tags`
  }

  #lockKey(cacheKey: string): string {
    return `${this.#state.keyPrefix}lock:${cacheKey}`
  }
}

/** GET_ENTRY's reply after the frame: each tag, then its `s:` and `x:` fields (nil for none). */
function tagStates(reply: ReadonlyArray<Buffer | null>): Map<string, TagRevalidation> {
  const states = new Map<string, TagRevalidation>()
  for (let index = 1; index + 2 < reply.length; index += 3) {
    addRevalidation(states, reply[index]!.toString(), reply[index + 1]?.toString(), reply[index + 2]?.toString())
  }
  return states
}

/** Records a tag's `s:` and `x:` fields (milliseconds as text), if it has either. */
function addRevalidation(states: Map<string, TagRevalidation>, tag: string, stale: string | null | undefined, expired: string | null | undefined): void {
  if (stale == null && expired == null) return
  states.set(tag, { ...(stale != null && { stale: Number(stale) }), ...(expired != null && { expired: Number(expired) }) })
}

/** An entry's tags: those it was set with, a fetch value's own, and a response's tags header. */
function entryTags(value: IncrementalCacheValue, ctx: SetIncrementalFetchCacheContext | SetIncrementalResponseCacheContext): string[] {
  const tags = new Set(ctx.tags ?? [])
  if (value.kind === 'FETCH') for (const tag of value.tags ?? []) tags.add(tag)
  else {
    const header = value.headers[CACHE_TAGS_HEADER]
    if (typeof header === 'string') for (const tag of header.split(',')) if (tag) tags.add(tag)
  }
  return [...tags]
}

// Redis takes whole milliseconds, at least one.
function milliseconds(ms: number): string {
  return String(Math.max(1, Math.round(ms)))
}
