/**
 * The request body of a Node request as a Web stream: lazy (nothing is read until the handler
 * reads), with backpressure, and drained afterwards within bounds so a keep-alive connection stays
 * usable when a handler ignores the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { routeHandlersError } from '../lib/errors.ts'

/** How much of an unread body is read and thrown away after the response, and for how long. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
const DRAIN_LIMIT_MS = 5000

/**
 * A Web stream over `source`. Nothing is read until the first `read()`; each read resumes the Node
 * stream for one chunk. A client that goes away mid-body errors the stream with
 * `RH_ERR_BODY_INCOMPLETE` (400).
 */
export function nodeBodyStream(source: Readable): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array>
  let settled = false
  const onData = (chunk: Buffer) => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    if ((controller.desiredSize ?? 0) <= 0) source.pause()
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
    source.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
    finish?.()
  }
  let listening = false
  return new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController
      },
      pull() {
        if (!listening) {
          listening = true
          source.pause()
          source.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose)
        }
        source.resume()
      },
      cancel() {
        source.pause()
        settle()
      },
    },
    { highWaterMark: 0 },
  )
}

function incomplete(detail: string): Error {
  return routeHandlersError('RH_ERR_BODY_INCOMPLETE', [detail])
}

/**
 * Once the response is sent, reads and discards what is left of an unread body, up to 16 MiB and
 * 5 seconds; past either the connection is closed instead, so a client cannot make the server read
 * forever.
 */
export function drainAfterResponse(req: IncomingMessage, source: Readable, res: ServerResponse): void {
  res.once('finish', () => {
    if (source.readableEnded || source.destroyed) return
    let drained = 0
    const stop = () => req.socket.destroy()
    const timer = setTimeout(stop, DRAIN_LIMIT_MS).unref()
    source.removeAllListeners('data')
    source.on('data', (chunk: Buffer) => {
      drained += chunk.byteLength
      if (drained > DRAIN_LIMIT_BYTES) stop()
    })
    source.once('close', () => clearTimeout(timer))
    source.resume()
  })
}
