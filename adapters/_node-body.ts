/**
 * The request body of a Node request: lazy (nothing is read until the handler reads), with
 * backpressure, and drained afterwards within bounds so a keep-alive connection stays usable when
 * a handler ignores the body.
 */
import { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { tooLarge } from '../lib/body/read-limited.ts'
import type { BodySource } from '../lib/body/route-request.ts'
import { routeHandlersError } from '../lib/errors.ts'
import { BodyIdleTimer, type BodyIdleOptions } from './_body-idle.ts'

/** How much of an unread body is read and thrown away after the response, and for how long. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
const DRAIN_LIMIT_MS = 5000
// How often a drain checks what it has read: at a gigabyte a second, 10 MB past the limit at most.
const DRAIN_CHECK_MS = 10

/** Unread bytes a body stream holds before it pauses the socket (one socket read is 64 KiB). */
const QUEUED_BYTES_LIMIT = 64 * 1024

/** A Node body source that can tell whether a read is under way (so draining must not cut in). */
export interface NodeBodySource extends BodySource {
  readonly busy: boolean
  /** A read gave up on the client (`bodyTimeout`): the rest is never read, the connection closes. */
  readonly timedOut: boolean
  /** Every declared byte was taken in one read: nothing is left to drain. */
  readonly takenWhole: boolean
}

/**
 * The body of a Node request: as a Web stream when the handler wants a stream (or a form), or read
 * whole straight from the Node stream for `json()`, `text()` and the like — no Web stream, one
 * buffer. Neither reads anything before the handler asks. (A class: one is made per request.)
 */
class NodeBody implements NodeBodySource {
  readonly #source: Readable
  readonly #idle: BodyIdleOptions | undefined
  readonly #read = { buffering: false, timedOut: false, takenWhole: false }
  #stream: { web: ReadableStream<Uint8Array>; reading: () => boolean; timedOut: () => boolean } | undefined

  constructor(source: Readable, idle: BodyIdleOptions | undefined) {
    this.#source = source
    this.#idle = idle
  }

  stream(): ReadableStream<Uint8Array> {
    return (this.#stream ??= nodeBodyStream(this.#source, this.#idle)).web
  }

  readAll(limit: number, declaredLength: string | null): Promise<Uint8Array> {
    return readNodeBody(this.#source, limit, declaredLength, this.#read, this.#idle)
  }

  get busy(): boolean {
    return this.#read.buffering || (this.#stream?.reading() ?? false)
  }

  get timedOut(): boolean {
    return this.#read.timedOut || (this.#stream?.timedOut() ?? false)
  }

  get takenWhole(): boolean {
    return this.#read.takenWhole
  }
}

/** The body of `source`; `idle` times the reads (see `_body-idle.ts`). */
export function nodeBodySource(source: Readable, idle?: BodyIdleOptions): NodeBodySource {
  return new NodeBody(source, idle)
}

/**
 * A body that is already in memory (one an earlier parser read), or an error to fail with;
 * `rawRead` as {@link BodySource.rawRead}, `anyRead` called on every read of it.
 */
export function fixedBodySource(body: Uint8Array | Error, rawRead?: () => void, anyRead?: () => void): BodySource {
  return {
    rawRead,
    stream: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          anyRead?.()
          if (body instanceof Error) return controller.error(body)
          controller.enqueue(body)
          controller.close()
        },
      }),
    readAll: async (limit) => {
      anyRead?.()
      if (body instanceof Error) throw body
      if (body.byteLength > limit) throw tooLarge(limit, body.byteLength)
      return body
    },
  }
}

/** A client that left before the handler read the body: no event will ever come. */
function goneBeforeRead(source: Readable): boolean {
  return source.destroyed && !source.readableEnded
}

/**
 * Reads a whole Node body within `limit` bytes. Past the limit (declared or counted) it stops
 * reading at once; what is left is drained or the connection closed after the response.
 */
function readNodeBody(
  source: Readable,
  limit: number,
  declaredLength: string | null,
  state: { buffering: boolean; timedOut: boolean; takenWhole: boolean },
  idleOptions: BodyIdleOptions | undefined,
): Promise<Uint8Array> {
  const declared = declaredLength === null ? NaN : Number(declaredLength)
  if (declared > limit) return Promise.reject(tooLarge(limit, declared))
  if (goneBeforeRead(source)) return Promise.reject(incomplete('the client closed the connection'))
  state.buffering = true
  if (!mayArriveWithHead(source, declared)) return listenForBody(source, limit, state, idleOptions)
  // A handler reads the body during the request's own event, before Node's parser has pushed the
  // bytes that came in the same packet as the head; one turn later they are there. Taken in one
  // read, a small body costs no listeners, no flowing turns and no idle timer.
  return Promise.resolve().then(() => {
    const whole = bufferedBody(source, declared)
    if (whole === null) return listenForBody(source, limit, state, idleOptions)
    state.buffering = false
    state.takenWhole = true
    return whole
  })
}

/**
 * Whether `source` may hold its whole body already: a Node request, not decoded to text, with a
 * declared length (Node's parser delivers exactly that many bytes, so all of them buffered is the
 * whole body; a stream a host put in front, decompressing, has no such relation to the header).
 * Not a request whose own `on` something replaced to see the body pass (@sentry/node's
 * httpIntegration wraps `data` listeners so that an error event carries the request body): it is
 * read through a `data` listener, as the app's own parsers would.
 */
function mayArriveWithHead(source: Readable, declared: number): boolean {
  return source instanceof IncomingMessage && declared > 0 && declared <= QUEUED_BYTES_LIMIT && source.readableEncoding === null && !Object.hasOwn(source, 'on')
}

/** The whole body, when every declared byte is buffered and nothing has read any of it. */
function bufferedBody(source: Readable, declared: number): Buffer | null {
  if (source.readableLength !== declared || source.readableFlowing === true || source.destroyed) return null
  return source.read() as Buffer
}

/** Reads the body as it comes, within `limit` bytes (and the idle timeout between chunks). */
function listenForBody(
  source: Readable,
  limit: number,
  state: { buffering: boolean; timedOut: boolean },
  idleOptions: BodyIdleOptions | undefined,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const idle = new BodyIdleTimer(idleOptions, (error) => {
      done()
      source.pause()
      state.timedOut = true
      reject(error)
    })
    const done = () => {
      idle.stop()
      state.buffering = false
      source.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      idle.waiting()
      size += chunk.byteLength
      if (size > limit) {
        done()
        source.pause()
        return reject(tooLarge(limit, size))
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      done()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    }
    const onError = (error: Error) => {
      done()
      reject(incomplete(error.message))
    }
    const onClose = () => {
      if (source.readableEnded) return
      done()
      reject(incomplete('the client closed the connection'))
    }
    // `on`, not `once` (see toNextRequest in _node.ts): done() removes all four at the first.
    source.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose)
    // A 'data' listener starts only a stream nobody paused: a preParsing hook's stream may come
    // paused (@fastify/compress's inflating one for a gzip body does).
    source.resume()
    idle.waiting()
  })
}

/**
 * A Web stream over `source`. Nothing is read until the first `read()`; a read resumes the Node
 * stream, which flows while the handler keeps up and pauses once 64 KiB wait unread. A client that goes away mid-body errors the stream with
 * `RH_ERR_BODY_INCOMPLETE` (400). `reading()` is true while a reader holds the unfinished stream.
 */
function nodeBodyStream(
  source: Readable,
  idleOptions: BodyIdleOptions | undefined,
): { web: ReadableStream<Uint8Array>; reading: () => boolean; timedOut: () => boolean } {
  let controller: ReadableStreamDefaultController<Uint8Array>
  let settled = false
  const idle = new BodyIdleTimer(idleOptions, (error) => {
    source.pause()
    settle(() => controller.error(error))
  })
  const onData = (chunk: Buffer) => {
    idle.got()
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    // A chunk handed straight to a waiting read leaves the queue empty: keep flowing. Pausing then
    // (and resuming on the next read) cost two stream-state turns per chunk on a large upload.
    if ((controller.desiredSize ?? 0) <= -QUEUED_BYTES_LIMIT) source.pause()
  }
  const onEnd = () => settle(() => controller.close())
  const onError = (error: Error) => settle(() => controller.error(incomplete(error.message)))
  const onClose = () => {
    if (!source.readableEnded) settle(() => controller.error(incomplete('the client closed the connection')))
  }
  // Once the stream is closed, errored or cancelled, the Node stream's later events mean nothing.
  const settle = (finish?: () => void) => {
    if (settled) return
    settled = true
    idle.stop()
    source.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
    finish?.()
  }
  let listening = false
  const web = new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController
      },
      pull() {
        if (!listening) {
          listening = true
          if (goneBeforeRead(source)) return settle(() => controller.error(incomplete('the client closed the connection')))
          source.pause()
          source.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose)
        }
        // The handler waits for bytes from here until the next chunk.
        idle.waiting()
        source.resume()
      },
      cancel() {
        source.pause()
        settle()
      },
    },
    // No read-ahead before the first read (pull runs only for a waiting read), bytes counted.
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  )
  return { web, reading: () => !settled && web.locked, timedOut: () => idle.timedOut }
}

/** The state of a body nothing read (a GET's or a HEAD's), for {@link drainRest}. */
export const UNREAD_BODY: Pick<NodeBodySource, 'busy' | 'timedOut' | 'takenWhole'> = Object.freeze({ busy: false, timedOut: false, takenWhole: false })

/** Whether a request without a body by its method (GET, HEAD) was sent one all the same. */
export function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

function incomplete(detail: string): Error {
  return routeHandlersError('RH_ERR_BODY_INCOMPLETE', [detail])
}

/**
 * Once the response is sent, reads and discards what is left of an unread body, up to 16 MiB and
 * 5 seconds; past either the connection is closed instead, so a client cannot make the server read
 * forever. A read still under way (a handler that answered before its `json()` finished) is left
 * to finish on its own; a body that timed out is not drained (its connection closes).
 */
export function drainRest(req: IncomingMessage, source: Readable, body: Pick<NodeBodySource, 'busy' | 'timedOut' | 'takenWhole'>): void {
  if (source.readableEnded || source.destroyed || body.busy || body.timedOut) return
  // Taken whole as it came: nothing is left. Its `end` waits for a read nobody makes, and Node's
  // parser may not even have marked the request complete yet (it does that after the microtasks
  // that ran the read), so neither can tell.
  if (body.takenWhole) return
  const socket = req.socket
  const stop = () => socket.destroy()
  const timer = setTimeout(stop, DRAIN_LIMIT_MS).unref()
  // Counted on the socket: Node dumps a request once its response has finished, and a dumped
  // request's bytes no longer come as `data` events (a trial read 4.5 GB past the 16 MiB here).
  const start = socket.bytesRead
  const counter = setInterval(() => {
    if (socket.bytesRead - start > DRAIN_LIMIT_BYTES) stop()
  }, DRAIN_CHECK_MS).unref()
  // Off the socket again when the body ends: a keep-alive connection serves many requests.
  const finished = () => {
    clearTimeout(timer)
    clearInterval(counter)
    socket.off('close', finished)
  }
  socket.on('close', finished)
  source.removeAllListeners('data')
  // A failing stream in front of the body (a host's decompression) must not become uncaught.
  source.on('error', finished)
  source.on('end', finished).on('close', finished)
  source.resume()
}
