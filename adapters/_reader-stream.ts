/**
 * The rest of a Web response body as a Node stream, for hosts that send a Node stream (Fastify's
 * `reply.send(stream)`).
 */
import { Readable } from 'node:stream'
import type { BodyReader } from '../lib/body/body-reader.ts'
import { routeHandlersError } from '../lib/errors.ts'

/** One byte-stream buffer's worth: with 64 KiB chunks, one chunk waits beyond what the socket holds. */
const HIGH_WATER_MARK = 64 * 1024

/**
 * A byte-mode `Readable` that sends `chunks` (already read), then the result of `next`, then one
 * `reader.read()` per `read()` call: no chunk is read before the socket asks for it. An async
 * generator under `Readable.from` cost three more promises a chunk and, in object mode, read up to
 * 16 chunks ahead. A failed read destroys the stream with its error; a destroyed stream (the
 * client left, or the host gave up) cancels the Web body. With `declaredLength` (the handler's
 * `Content-Length`), a body of another length fails with `RH_ERR_CONTENT_LENGTH_MISMATCH`.
 */
export function readerStream(
  chunks: Uint8Array[],
  next: Promise<ReadableStreamReadResult<Uint8Array>>,
  reader: BodyReader,
  declaredLength?: number,
): Readable {
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = next
  let waiting = false
  let sent = 0
  // A body that disagrees with the handler's Content-Length fails before the byte that would
  // break it: sent on, the connection's next answer would be read as this one's rest, or its
  // bytes as the next answer (a handler's `return fetch(upstream)` of a gzip upstream keeps the
  // compressed length over the decoded body).
  const push = (stream: Readable, chunk: Uint8Array | null): boolean => {
    if (declaredLength !== undefined) {
      const total = chunk === null ? sent : sent + chunk.byteLength
      if (chunk === null ? total !== declaredLength : total > declaredLength) {
        stream.destroy(routeHandlersError('RH_ERR_CONTENT_LENGTH_MISMATCH', [declaredLength, chunk === null ? `${total}` : `more than ${declaredLength}`]))
        return false
      }
      sent = total
    }
    return stream.push(chunk)
  }
  return new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read() {
      if (waiting) return
      while (chunks.length > 0) if (!push(this, chunks.shift()!)) return
      const read = pending ?? reader.read()
      pending = undefined
      waiting = true
      read.then(
        (result) => {
          waiting = false
          push(this, result.done ? null : result.value)
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      )
    },
    destroy(error, callback) {
      void reader.cancel()
      callback(error)
    },
  })
}
