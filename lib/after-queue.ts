import { bodyReader } from './body/body-reader.ts'
import { holdUploads, whenResponseSent } from './body/route-request.ts'
import { withRequestStore, type RequestStore } from './context.ts'

type Callback = () => unknown

/**
 * One request's `after()` callbacks: held until its response has been sent, then started in the
 * order they were added, each inside a copy of the request store marked `phase: 'after'`, where
 * `cookies()` and `headers()` still read the request and nothing can change the response any more
 * (Next.js's after phase). A callback added once they have started (from another callback, or from
 * code still running after the response) starts at once.
 *
 * "Sent" is the host's word when the request came from a Node host: its response closed, finished
 * or not (Next.js's `onClose`). For a bare `handle()` call it is the returned response's body being
 * read to its end or cancelled; see {@link AfterQueue.handOver}.
 *
 * The request's spooled uploads stay on disk until the callbacks have settled, so a callback can
 * process a form's files (see holdUploads).
 */
export class AfterQueue {
  readonly #store: RequestStore
  #callbacks: Callback[] | null = []
  #release: (() => void) | undefined
  #releaseUploads: (() => Promise<void> | undefined) | undefined
  /** Callbacks started whose promise has not settled: the uploads are held while any runs. */
  #running = 0

  constructor(store: RequestStore) {
    this.#store = store
  }

  add(callback: Callback): void {
    if (this.#callbacks === null) return this.#start(callback, this.#afterStore())
    if (this.#callbacks.push(callback) > 1) return
    this.#release = this.#store.handlers.after.hold()
    this.#releaseUploads = holdUploads(this.#store.request)
    const whenSent = whenResponseSent(this.#store.request)
    if (whenSent) whenSent(() => this.#run())
    // Added after a bare handle() call returned: nothing tells when its body is done.
    else if (this.#store.handedOver) setImmediate(() => this.#run())
  }

  /**
   * Called with the response of a bare `handle()` call (no host to say when it was sent), or `null`
   * when the handler failed: the callbacks run once the body has been read to its end or
   * cancelled, or on the next turn of the event loop when there is no body.
   */
  handOver(response: Response): Response
  handOver(response: null): null
  handOver(response: Response | null): Response | null {
    if (this.#callbacks === null || this.#callbacks.length === 0 || whenResponseSent(this.#store.request)) return response
    if (response === null || response.body === null) {
      setImmediate(() => this.#run())
      return response
    }
    return withBodyEnd(response, () => this.#run())
  }

  #run(): void {
    const callbacks = this.#callbacks
    if (callbacks === null) return
    this.#callbacks = null
    const store = this.#afterStore()
    for (const callback of callbacks) this.#start(callback, store)
    if (this.#running === 0) this.#finish()
  }

  // The callbacks have settled: their uploads may go, and close() waits until they have gone.
  #finish(): void {
    const removal = this.#releaseUploads?.()
    if (removal === undefined) this.#release?.()
    else void removal.then(this.#release)
  }

  #afterStore(): RequestStore {
    const { request, isFormPost, handlers, headers, after, route, generation } = this.#store
    // Its own cookies() jar and draftMode(), made read-only on first use (see cookieJarOf()). The
    // route's static mode holds in its callbacks, as in Next.js's: `headers()` there is empty
    // under `force-static`, and throws under `dynamic = 'error'`.
    return { request, isFormPost, handlers, headers, after, route, generation, phase: 'after' }
  }

  #start(callback: Callback, store: RequestStore): void {
    const work = this.#store.handlers.after
    try {
      const result = withRequestStore(store, callback)
      if (isThenable(result)) {
        work.track(result, 'a function', store.request)
        this.#running++
        const settled = () => {
          if (--this.#running === 0 && this.#callbacks === null) this.#finish()
        }
        Promise.resolve(result).then(settled, settled)
      }
    } catch (error) {
      work.failed(error, 'a function', store.request)
    }
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/** A copy of `response` whose body calls `done` once it has been read to its end, failed or been cancelled. */
function withBodyEnd(response: Response, done: () => void): Response {
  const reader = bodyReader(response.body!)
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    done()
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read()
        if (!chunk.done) return controller.enqueue(chunk.value)
        controller.close()
      } catch (error) {
        controller.error(error)
      }
      end()
    },
    cancel(reason) {
      end()
      return reader.cancel(reason)
    },
  })
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
