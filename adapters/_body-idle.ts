/**
 * The body-idle timeout of the Node hosts (the `bodyTimeout` option): a body read that waits longer
 * than that for the client's next bytes fails with `RH_ERR_BODY_TIMEOUT` (408), and the connection
 * closes once the response is sent, since the rest of the body will never be read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { routeHandlersError } from '../lib/errors.ts'
import { http2Stream } from './_response-writes.ts'

/** What a Node body source needs to time its reads: the timeout (0 for none) and what to do then. */
export interface BodyIdleOptions {
  readonly ms: number
  readonly onTimeout: () => void
}

/**
 * A timer over one body: `waiting()` when a read starts waiting for bytes (again), `got()` when
 * bytes or the end came. It runs only while the handler waits on a read: a handler busy elsewhere
 * holds the body back with backpressure, which is not the client's fault.
 */
export class BodyIdleTimer {
  readonly #options: BodyIdleOptions | undefined
  readonly #fail: (error: Error) => void
  #timer: NodeJS.Timeout | undefined
  #waiting = false
  #timedOut = false

  constructor(options: BodyIdleOptions | undefined, fail: (error: Error) => void) {
    this.#options = options?.ms ? options : undefined
    this.#fail = fail
  }

  /** True once the body timed out: it will never be read to its end. */
  get timedOut(): boolean {
    return this.#timedOut
  }

  /** A read starts waiting for bytes: the timeout counts from now. */
  waiting(): void {
    const options = this.#options
    if (!options) return
    this.#waiting = true
    // One timer per body, refreshed per wait: a 100 MB upload arms it once, not once a chunk.
    if (this.#timer) return void this.#timer.refresh()
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      // Bytes came and the handler has not asked for more since: it is busy, not the client idle.
      if (!this.#waiting) return
      this.#timedOut = true
      options.onTimeout()
      this.#fail(routeHandlersError('RH_ERR_BODY_TIMEOUT', [options.ms]))
    }, options.ms)
  }

  /** Bytes came: the wait is over (the timer stays armed, for the next wait to refresh). */
  got(): void {
    this.#waiting = false
  }

  /** The body ended, failed or was cancelled: no timer outlives it. */
  stop(): void {
    this.#waiting = false
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}

/**
 * Closes the connection once the response is sent: `Connection: close` when the head is still to
 * be written (Node then ends the socket after the response), else the socket is ended once the
 * response has finished (at once if it has: a handler may read on after answering). On HTTP/2 the
 * connection carries other requests: only this request's stream closes, once its answer is
 * complete (RST_STREAM with NO_ERROR, which asks the client to stop sending: RFC 9113 §8.1).
 */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  const stream = http2Stream(res)
  if (stream !== undefined) {
    if (stream.writableFinished) stream.close()
    else stream.once('finish', () => stream.close())
    return
  }
  if (!res.headersSent) res.shouldKeepAlive = false
  else if (res.writableFinished) req.socket.destroySoon()
  else res.once('finish', () => req.socket.destroySoon())
}
