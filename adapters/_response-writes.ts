/**
 * Writing a streamed body onto a Node response chunk by chunk, with backpressure: what Express's
 * adapter does for every streamed response, and Fastify's for a stream it pipes straight into the
 * response (adapters/_reader-stream.ts).
 */
import type { ServerResponse } from 'node:http'
import type { ServerHttp2Stream } from 'node:http2'

/**
 * The HTTP/2 stream of a response (Fastify's `http2: true`), undefined on HTTP/1. Node's
 * `Http2ServerResponse` has no `destroyed` or `closed` of its own, and its `socket` is a proxy
 * of the connection every other request shares: what is one request's is its stream's.
 */
export function http2Stream(res: ServerResponse): ServerHttp2Stream | undefined {
  return (res as unknown as { stream?: ServerHttp2Stream }).stream
}

/** Whether the response can take no more: destroyed, or (HTTP/2) its stream closed. */
export function responseClosed(res: ServerResponse): boolean {
  return res.destroyed ?? http2Stream(res)?.destroyed === true
}

export interface DrainWaiter {
  /** Settles at the response's next `drain`, or when it closes. */
  next(): Promise<void>
  stop(): void
}

/**
 * One `drain` listener for a whole streamed response, as `pipe()` keeps one. `compression` hands
 * `res.on('drain')` on to its zlib stream but not `res.off()`: a listener added for each write
 * that waits would stay there, hundreds for a long export (a MaxListenersExceededWarning, and
 * each drain calling them all).
 */
export function drainWaiter(res: ServerResponse): DrainWaiter {
  let wake: (() => void) | undefined
  const drained = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  res.on('drain', drained)
  res.on('close', drained)
  return {
    next: () => (responseClosed(res) ? Promise.resolve() : new Promise((resolve) => (wake = resolve))),
    stop: () => {
      res.off('drain', drained)
      res.off('close', drained)
    },
  }
}

/**
 * The `flush()` of `compression` (Express, or through @fastify/middie) when it wraps `res`: it keeps
 * what it is given in zlib's buffer until flushed, and a streamed response must arrive as it is
 * made. There before the route runs, or never.
 */
export function compressionFlush(res: ServerResponse): (() => void) | undefined {
  return (res as ServerResponse & { flush?: () => void }).flush
}

/**
 * Writes `chunk`; a promise to wait for when the response holds more than it should. Not an async
 * function: a chunk the socket takes at once costs no promise.
 */
export function writeChunk(res: ServerResponse, chunk: Uint8Array, drain: DrainWaiter): Promise<void> | undefined {
  const flushed = res.write(chunk)
  compressionFlush(res)?.call(res)
  return flushed || responseClosed(res) ? undefined : drain.next()
}
