import { PassThrough, type Readable } from 'node:stream'

/**
 * The body a route file reads when something began reading it before the handler could: a
 * `preParsing` hook that set the payload flowing (fastify-raw-body reads it for `request.rawBody`).
 * Its chunks went by as they came, and a handler reading later got only the rest (a 64 KiB upload
 * arrived as 242 bytes, and the route answered success). From the parser on, they are kept here,
 * with backpressure, until the handler reads them; and when that other reader gives up and pauses
 * the payload (raw-body past its limit), the payload goes on: the rest is still the handler's.
 */
export function keptFromHere(payload: Readable): Readable {
  const kept = new PassThrough()
  let full = false
  payload.on('data', (chunk: Buffer) => {
    if (kept.destroyed || kept.write(chunk)) return
    full = true
    payload.pause()
  })
  kept.on('drain', () => {
    full = false
    payload.resume()
  })
  payload.on('pause', () => {
    if (full) return
    // The other reader's pause, once its own listener is gone.
    setImmediate(() => {
      if (!full && !payload.readableEnded && !payload.destroyed) payload.resume()
    })
  })
  payload.once('end', () => kept.end())
  payload.once('error', (error) => kept.destroy(error))
  payload.once('close', () => {
    if (!payload.readableEnded) kept.destroy(new Error('aborted'))
  })
  return kept
}
