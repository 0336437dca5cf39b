/**
 * A least-recently-used map bounded by the bytes its values take (Next.js's in-memory cache is
 * sized the same way, by `cacheMaxMemorySize`). A value larger than the whole budget is not kept.
 */
export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; bytes: number }>()
  readonly #maxBytes: number
  readonly #sizeOf: (value: V) => number
  #bytes = 0
  /** The most recently used key, which a read need not move (a delete and re-insert reallocates a small Map's table). */
  #newest: string | undefined

  constructor(maxBytes: number, sizeOf: (value: V) => number) {
    this.#maxBytes = maxBytes
    this.#sizeOf = sizeOf
  }

  /** The bytes held now. */
  get bytes(): number {
    return this.#bytes
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    // Map order is recency order: move it to the end.
    if (key !== this.#newest) {
      this.#entries.delete(key)
      this.#entries.set(key, entry)
      this.#newest = key
    }
    return entry.value
  }

  set(key: string, value: V): void {
    this.delete(key)
    const bytes = this.#sizeOf(value)
    if (bytes > this.#maxBytes) return
    this.#entries.set(key, { value, bytes })
    this.#newest = key
    this.#bytes += bytes
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break
      this.#entries.delete(oldest)
      if (oldest === this.#newest) this.#newest = undefined
      this.#bytes -= entry.bytes
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key)
    if (!entry) return
    this.#entries.delete(key)
    if (key === this.#newest) this.#newest = undefined
    this.#bytes -= entry.bytes
  }
}
