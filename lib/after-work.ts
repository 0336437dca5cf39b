import type { Logger } from './types.ts'

const ignore = (): void => {}

/** What the work was given to: a callback or a promise to `after()`, or anything to `waitUntil()`. */
export type AfterSource = 'a function' | 'a promise' | 'waitUntil()'

/**
 * The `after()` work of one `createRouteHandlers()` that has not settled yet: promises passed to
 * `after()`, callbacks that are running, and callbacks still waiting for their response to be sent.
 * `close()` waits for all of it, as `next start` does on shutdown. A failure is logged through the
 * configured logger and never becomes an unhandled rejection (Next.js logs it with console.error).
 */
export class AfterWork {
  readonly #pending = new Set<Promise<void>>()
  /** The part of `#pending` that is work under way (not holds for responses still open). */
  readonly #running = new Set<Promise<void>>()
  readonly #logger: Logger

  constructor(logger: Logger) {
    this.#logger = logger
  }

  /** Keeps `work` until it settles; a rejection is logged as coming from `source`, for `request` when it is one request's. */
  track(work: PromiseLike<unknown>, source: AfterSource, request?: Request): void {
    const settled = Promise.resolve(work).then(ignore, (error: unknown) => this.#report(source, error, request))
    this.#running.add(settled)
    void settled.then(() => this.#running.delete(settled))
    this.#keep(settled)
  }

  /** Reports an error a callback threw synchronously. */
  failed(error: unknown, source: AfterSource, request?: Request): void {
    this.#report(source, error, request)
  }

  /** Holds `close()` until the returned function is called (callbacks queued for a response). */
  hold(): () => void {
    let release = ignore
    this.#keep(new Promise<void>((resolve) => (release = resolve)))
    return release
  }

  /** Resolves once nothing is pending, including work added while it waited. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending)
  }

  /**
   * Resolves once the work under way has settled, including work started while it waited, but not
   * callbacks still waiting for their response: a response that streams until the server closes
   * would hold it for as long.
   */
  async runningSettled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running)
  }

  #keep(settled: Promise<void>): void {
    this.#pending.add(settled)
    void settled.then(() => this.#pending.delete(settled))
  }

  #report(source: AfterSource, error: unknown, request: Request | undefined): void {
    const passedTo = source === 'waitUntil()' ? 'something passed to waitUntil()' : `${source} passed to after()`
    // A logger that throws must not turn a logged failure into an unhandled rejection.
    try {
      const logger = request !== undefined && this.#logger.forRequest !== undefined ? this.#logger.forRequest(request) : this.#logger
      logger.error(`route-handlers: an error occurred in ${passedTo}`, error)
    } catch {}
  }
}
