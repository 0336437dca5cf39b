import { routeHandlersError } from '../errors.ts'
import type { Logger } from '../types.ts'

/** What a guarded store call resolves to when the store failed, rejected or did not answer in time. */
export const STORE_UNAVAILABLE: unique symbol = Symbol('cache store unavailable')
export type Unavailable = typeof STORE_UNAVAILABLE

/**
 * Calls into the cache store so that it can never break or hang a request: a throw, a rejection or
 * no answer within `timeoutMs` resolves {@link STORE_UNAVAILABLE} (the caller answers uncached).
 * The first failure of an outage is logged (`RH_ERR_CACHE_STORE_FAILED`), the others not; the
 * first success after it is logged as the recovery.
 */
export class StoreGuard {
  readonly #logger: Logger
  readonly #timeoutMs: number
  #down = false

  readonly #timed: boolean

  /** `timed: false` for a store that answers from memory: no timer per call on the hot path. */
  constructor(logger: Logger, timeoutMs: number, timed = true) {
    this.#logger = logger
    this.#timeoutMs = timeoutMs
    this.#timed = timed
  }

  async call<T>(operation: string, call: () => Promise<T> | T): Promise<T | Unavailable> {
    if (!this.#timed) {
      try {
        const result = await call()
        this.#recovered()
        return result
      } catch (error) {
        this.#failed(operation, error)
        return STORE_UNAVAILABLE
      }
    }
    // Not unref'd: a request waiting on the store must keep the process alive until it gives up.
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(routeHandlersError('RH_ERR_CACHE_STORE_TIMEOUT', [operation, this.#timeoutMs])), this.#timeoutMs)
      })
      const result = await Promise.race([Promise.resolve().then(call), timeout])
      this.#recovered()
      return result
    } catch (error) {
      this.#failed(operation, error)
      return STORE_UNAVAILABLE
    } finally {
      clearTimeout(timer)
    }
  }

  #failed(operation: string, error: unknown): void {
    if (this.#down) return
    this.#down = true
    const cause = error instanceof Error ? error.message : String(error)
    this.#logger.error(`route-handlers: ${routeHandlersError('RH_ERR_CACHE_STORE_FAILED', [operation, cause]).message}`, error)
  }

  #recovered(): void {
    if (!this.#down) return
    this.#down = false
    const message = 'route-handlers: the cache store answers again; caching resumes.'
    if (this.#logger.info) this.#logger.info(message)
    else this.#logger.warn(message)
  }
}
