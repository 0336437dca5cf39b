/**
 * The rest of a Web response body as a Node stream, for hosts that send a Node stream (Fastify's
 * `reply.send(stream)`).
 */
import { Readable } from 'node:stream'
import type { BodyReader } from '../lib/body/body-reader.ts'

/** One byte-stream buffer's worth: with 64 KiB chunks, one chunk waits beyond what the socket holds. */
const HIGH_WATER_MARK = 64 * 1024

/**
 * A byte-mode `Readable` that sends `chunks` (already read), then the result of `next`, then one
 * `reader.read()` per `read()` call: no chunk is read before the socket asks for it. An async
 * generator under `Readable.from` cost three more promises a chunk and, in object mode, read up to
 * 16 chunks ahead. A failed read destroys the stream with its error; a destroyed stream (the
 * client left, or the host gave up) cancels the Web body.
 */
export function readerStream(
  chunks: Uint8Array[],
  next: Promise<ReadableStreamReadResult<Uint8Array>>,
  reader: BodyReader,
): Readable {
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = next
  let waiting = false
  return new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read() {
      if (waiting) return
      while (chunks.length > 0) if (!this.push(chunks.shift())) return
      const read = pending ?? reader.read()
      pending = undefined
      waiting = true
      read.then(
        (result) => {
          waiting = false
          this.push(result.done ? null : result.value)
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
