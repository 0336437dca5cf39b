import { ByteLru } from './byte-lru.ts'
import type {
  CacheHandler,
  CacheHandlerContext,
  CacheHandlerValue,
  IncrementalCacheValue,
  TagRevalidation,
} from './cache-handler.ts'
import { processGlobal } from '../process-global.ts'
import { preciseNow, recordRevalidation, type TagsManifest } from './tags-manifest.ts'

/** Next.js's `cacheMaxMemorySize` default: 50 MB. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024

// One tag state for every in-memory store of the process (and every copy of this package), as a
// Next.js process has one cache: a `revalidateTag()` in one mount's route file expires what the
// others cached under that tag. Their entries stay apart, as two mounts' paths may coincide.
const processTags = processGlobal('memory-cache-tags', (): TagsManifest => new Map())

/**
 * The default store: entries in this process, in an LRU bounded in bytes (`cache.maxBytes`), with
 * both extensions of the contract (tag state, shared by the process's in-memory stores, and
 * regeneration locks) kept here too. Being a Next.js
 * `cacheHandler` itself, it is constructed with a `CacheHandlerContext`.
 *
 * @example
 * createRouteHandlers({ dir: './app', cache: { store: new MemoryCacheHandler({ maxMemoryCacheSize: 10e6, revalidatedTags: [], _requestHeaders: {} }) } })
 */
export class MemoryCacheHandler implements CacheHandler {
  readonly #entries: ByteLru<CacheHandlerValue>
  readonly #tags: TagsManifest = processTags
  readonly #locks = new Map<string, number>()

  constructor(context: Partial<CacheHandlerContext> = {}) {
    this.#entries = new ByteLru(context.maxMemoryCacheSize ?? DEFAULT_MAX_BYTES, entrySize)
  }

  /** Bytes held now (for tests and metrics). */
  get bytes(): number {
    return this.#entries.bytes
  }

  async get(cacheKey: string): Promise<CacheHandlerValue | null> {
    return this.#entries.get(cacheKey) ?? null
  }

  /** `get()` without a promise: the engine answers a HIT from it synchronously. */
  getNow(cacheKey: string): CacheHandlerValue | null {
    return this.#entries.get(cacheKey) ?? null
  }

  /** What `tagRevalidations()` reads, without a promise. */
  tagState(): ReadonlyMap<string, TagRevalidation> {
    return this.#tags
  }

  async set(cacheKey: string, data: IncrementalCacheValue | null): Promise<void> {
    this.#entries.set(cacheKey, { value: data, lastModified: preciseNow() })
  }

  async revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void> {
    recordRevalidation(this.#tags, typeof tags === 'string' ? [tags] : tags, durations)
  }

  resetRequestCache(): void {}

  async tagRevalidations(tags: readonly string[]): Promise<Map<string, TagRevalidation>> {
    const found = new Map<string, TagRevalidation>()
    for (const tag of tags) {
      const state = this.#tags.get(tag)
      if (state) found.set(tag, state)
    }
    return found
  }

  async lockRegeneration(cacheKey: string, ttlMs: number): Promise<boolean> {
    const now = Date.now()
    const heldUntil = this.#locks.get(cacheKey)
    if (heldUntil !== undefined && heldUntil > now) return false
    this.#locks.set(cacheKey, now + ttlMs)
    return true
  }

  async unlockRegeneration(cacheKey: string): Promise<void> {
    this.#locks.delete(cacheKey)
  }
}

// Bytes an entry takes, near enough: the body, plus its headers or data as JSON.
function entrySize(entry: CacheHandlerValue): number {
  const value = entry.value
  if (value === null) return 64
  if (value.kind === 'APP_ROUTE') return value.body.byteLength + JSON.stringify(value.headers).length + 64
  return JSON.stringify(value).length + 64
}
