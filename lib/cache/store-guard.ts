import { fullMessage, isRouteHandlersError, routeHandlersError } from '../errors.ts'
import type { Logger } from '../types.ts'

/** What a guarded store call resolves to when the store failed, rejected or did not answer in time. */
export const STORE_UNAVAILABLE: unique symbol = Symbol('cache store unavailable')
export type Unavailable = typeof STORE_UNAVAILABLE

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** How many entries too large to cache are remembered as warned about; past that, the list starts over. */
const OVERSIZED_WARNINGS_LIMIT = 1000

/**
 * Calls into the cache store so that it can never break or hang a request: a throw, a rejection or
 * no answer within `timeoutMs` resolves {@link STORE_UNAVAILABLE} (the caller answers uncached).
 * The first failure of an outage is logged (`RH_ERR_CACHE_STORE_FAILED`), the others not; the
 * first success after it is logged as the recovery. An entry the store refuses as too large
 * (`RH_ERR_CACHE_ENTRY_TOO_LARGE`) is no outage: it is warned about once per entry.
 */
export class StoreGuard {
  readonly #logger: Logger
  readonly #timeoutMs: number
  #down = false
  readonly #oversized = new Set<string>()

  readonly #timed: boolean

  /** `timed: false` for a store that answers from memory: no timer per call on the hot path. */
  constructor(logger: Logger, timeoutMs: number, timed = true) {
    this.#logger = logger
    this.#timeoutMs = timeoutMs
    this.#timed = timed
  }

  /** `key`: the entry the call is about, for warnings given once per entry. */
  async call<T>(operation: string, call: () => Promise<T> | T, key?: string): Promise<T | Unavailable> {
    const outcome = await this.#run(operation, call, key)
    return outcome.ok ? outcome.value : STORE_UNAVAILABLE
  }

  /**
   * {@link call} for a write that must not be lost without the caller knowing (a revalidation):
   * the failure is logged as there, then thrown as `RH_ERR_CACHE_REVALIDATE_FAILED` (503).
   * `what`: the revalidation, for the message (`the tags "posts", "home"`).
   */
  async callOrThrow<T>(operation: string, what: string, call: () => Promise<T> | T): Promise<T> {
    const outcome = await this.#run(operation, call)
    if (outcome.ok) return outcome.value
    throw routeHandlersError('RH_ERR_CACHE_REVALIDATE_FAILED', [what, fullMessage(outcome.error)], { cause: outcome.error })
  }

  async #run<T>(operation: string, call: () => Promise<T> | T, key?: string): Promise<Outcome<T>> {
    if (!this.#timed) {
      try {
        const value = await call()
        this.#recovered()
        return { ok: true, value }
      } catch (error) {
        this.#failed(operation, error, key)
        return { ok: false, error }
      }
    }
    // Not unref'd: a request waiting on the store must keep the process alive until it gives up.
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(routeHandlersError('RH_ERR_CACHE_STORE_TIMEOUT', [operation, this.#timeoutMs])), this.#timeoutMs)
      })
      const value = await Promise.race([Promise.resolve().then(call), timeout])
      this.#recovered()
      return { ok: true, value }
    } catch (error) {
      this.#failed(operation, error, key)
      return { ok: false, error }
    } finally {
      clearTimeout(timer)
    }
  }

  #failed(operation: string, error: unknown, key: string | undefined): void {
    if (isRouteHandlersError(error) && error.code === 'RH_ERR_CACHE_ENTRY_TOO_LARGE') {
      // The full text, also in production (where `message` names only the code); once per entry,
      // whatever its size each time.
      const text = error.detail ?? error.message
      const entry = key ?? text
      if (this.#oversized.has(entry)) return
      if (this.#oversized.size >= OVERSIZED_WARNINGS_LIMIT) this.#oversized.clear()
      this.#oversized.add(entry)
      this.#logger.warn(`route-handlers: ${text}`)
      return
    }
    if (this.#down) return
    this.#down = true
    // The full texts, also in production, where a 5xx error's `message` names only its code: this
    // is the server log, and no request failed.
    this.#logger.error(`route-handlers: ${fullMessage(routeHandlersError('RH_ERR_CACHE_STORE_FAILED', [operation, fullMessage(error)]))}`, error)
  }

  #recovered(): void {
    if (!this.#down) return
    this.#down = false
    const message = 'route-handlers: the cache store answers again; caching resumes.'
    if (this.#logger.info) this.#logger.info(message)
    else this.#logger.warn(message)
  }
}
