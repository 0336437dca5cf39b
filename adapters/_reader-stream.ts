/**
 * The rest of a Web response body as a Node stream, for hosts that send a Node stream (Fastify's
 * `reply.send(stream)`).
 */
import type { ServerResponse } from 'node:http'
import { constants } from 'node:http2'
import { Readable } from 'node:stream'
import type { BodyReader } from '../lib/body/body-reader.ts'
import { routeHandlersError } from '../lib/errors.ts'
import { compressionFlush, drainWaiter, http2Stream, responseClosed, writeChunk } from './_response-writes.ts'

/** One byte-stream buffer's worth: with 64 KiB chunks, one chunk waits beyond what the socket holds. */
const HIGH_WATER_MARK = 64 * 1024

/**
 * A byte-mode `Readable` that sends `chunks` (already read), then the result of `next`, then one
 * `reader.read()` per `read()` call: no chunk is read before the socket asks for it. An async
 * generator under `Readable.from` cost three more promises a chunk and, in object mode, read up to
 * 16 chunks ahead. A failed read destroys the stream with its error; a destroyed stream (the
 * client left, or the host gave up) cancels the Web body. With `declaredLength` (the handler's
 * `Content-Length`), a body of another length fails with `RH_ERR_CONTENT_LENGTH_MISMATCH`.
 *
 * Piped into `response` before anything read it (Fastify pipes the stream it is sent into the
 * response when no `onSend` hook replaced it), the stream writes its chunks to the response
 * itself, as the Express adapter and Fastify's own sending of a Web stream do: the `Readable`'s
 * buffer, `data` events and read-ahead ticks cost a 1 GiB download through Fastify about a tenth
 * of its rate (bench/RESULTS.md). It then ends, or fails, as a piped stream would.
 */
export function readerStream(
  chunks: Uint8Array[],
  next: Promise<ReadableStreamReadResult<Uint8Array>>,
  reader: BodyReader,
  declaredLength?: number,
  response?: ServerResponse,
): Readable {
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = next
  let waiting = false
  let read = false
  let writing = false
  let sent = 0
  // A body that disagrees with the handler's Content-Length fails before the byte that would
  // break it: sent on, the connection's next answer would be read as this one's rest, or its
  // bytes as the next answer (a length computed before a transform of the body). False, the
  // stream destroyed, for such a chunk.
  const counted = (chunk: Uint8Array | null): boolean => {
    if (declaredLength === undefined) return true
    // A string chunk (see asBytes) is written as its UTF-8 bytes.
    const total = chunk === null ? sent : sent + (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength)
    if (chunk === null ? total !== declaredLength : total > declaredLength) {
      stream.destroy(routeHandlersError('RH_ERR_CONTENT_LENGTH_MISMATCH', [declaredLength, chunk === null ? `${total}` : `more than ${declaredLength}`]))
      return false
    }
    sent = total
    return true
  }
  const push = (chunk: Uint8Array | null): boolean => counted(chunk) && stream.push(chunk)
  const stream = new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read() {
      read = true
      // Writing to the response itself, it alone reads the body: a second reader would take
      // chunks from the client.
      if (waiting || writing) return
      while (chunks.length > 0) if (!push(chunks.shift()!)) return
      const result = pending ?? reader.read()
      pending = undefined
      waiting = true
      result.then(
        (value) => {
          waiting = false
          push(value.done ? null : value.value)
        },
        (error: unknown) => stream.destroy(asError(error)),
      )
    },
    destroy(error, callback) {
      void reader.cancel()
      // HTTP/2: Fastify ends a failed stream's response with `destroy()`, which resets its stream
      // with NO_ERROR, and a client takes the body cut short for a complete one; an error code says
      // it is not (HTTP/1 cuts the connection).
      const http2 = error && response !== undefined ? http2Stream(response) : undefined
      if (http2 !== undefined && !http2.closed) http2.close(constants.NGHTTP2_INTERNAL_ERROR)
      callback(error)
    },
  })
  if (response === undefined) return stream

  // Written by the stream itself only when nothing else reads it: a hook's `data` listener, a pipe
  // of its own, or Fastify's `end: false` when the reply has trailers get a Readable's pipe. A
  // reader that comes later (a hook's `data` listener in a later turn) sees the stream's end only.
  stream.pipe = function pipe<T extends NodeJS.WritableStream>(this: Readable, destination: T, options?: { end?: boolean }): T {
    const intoResponse = destination === (response as unknown)
    const direct = intoResponse && options?.end !== false && !read && this.readableFlowing === null && this.listenerCount('data') === 0
    if (!direct) {
      const piped = Readable.prototype.pipe.call(this, destination, options) as T
      // After pipe's own `data` listener: each chunk it wrote is flushed, as on the direct path.
      const flush = intoResponse ? compressionFlush(response) : undefined
      if (flush !== undefined) this.on('data', () => flush.call(response))
      return piped
    }
    writing = true
    response.emit('pipe', this)
    void writeTo(response)
    return destination
  }

  async function writeTo(res: ServerResponse): Promise<void> {
    const drain = drainWaiter(res)
    // False once the body cannot go on (the chunk breaks the declared length); a promise to wait
    // for when the response holds more than it should.
    const write = (chunk: Uint8Array): boolean | Promise<void> => counted(chunk) && (writeChunk(res, chunk, drain) ?? true)
    try {
      const first = pending!
      pending = undefined
      for (const chunk of chunks.splice(0)) {
        const wrote = write(chunk)
        if (wrote === false) return
        if (wrote !== true) await wrote
      }
      for (let result = await first; !stream.destroyed && !responseClosed(res); result = await reader.read()) {
        if (result.done) return ended(res)
        const wrote = write(result.value)
        if (wrote === false) return
        if (wrote !== true) await wrote
      }
    } catch (error) {
      stream.destroy(asError(error))
    } finally {
      drain.stop()
    }
  }

  // The stream's `end` comes as a piped stream's would (Fastify's end-of-stream watch hears of it), then the response's.
  function ended(res: ServerResponse): void {
    if (!counted(null)) return
    stream.push(null)
    stream.read(0)
    res.end()
  }
  return stream
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
