/**
 * Reading a handler's response body in a way that can always be cancelled. undici before Node 26
 * makes the body of `new Response(asyncIterable)` (`fs.createReadStream(path)`, `Readable.from()`,
 * an async generator: common in download routes) a byte stream whose pull closes it in a microtask
 * once the iterator ends. A cancel made while that pull waits on the iterator ends the iterator and
 * closes the stream first; the pull's close then throws where nothing can catch it, and the process
 * exits (trial: `curl` closing its connection once it had `Content-Length` bytes, while the read of
 * the file's end was in flight). So there, on a byte stream, a cancel waits for the read in flight,
 * and is made only if that read did not end the body; no read is made once it is asked for.
 *
 * Cancelled at once, as before: every stream on Node 26+ (undici 8 closes such a body safely);
 * streams that are not byte streams (a handler's `new ReadableStream({ pull })`: one that never
 * enqueues, an idle event stream, must still hear of it); and `fetch()` bodies, byte streams with
 * no iterator behind them (a proxied upstream that goes quiet must not be kept open: review). A
 * handler's own `type: 'bytes'` stream on Node 20-24 hears of the cancel after its next chunk.
 */

import { processGlobal } from '../process-global.ts'

/** A reader of a response body: `read()` as a stream reader's, `cancel()` safe at any moment. */
export interface BodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>
  /** Cancels the body (after the read in flight, on a byte stream); never rejects. */
  cancel(reason?: unknown): Promise<void>
}

const ignore = (): void => {}

// The lines whose undici has the flaw (Node 26's is undici 8).
const DEFERS_CANCEL = Number(process.versions.node.split('.')[0]) < 26

// Response bodies of fetch() (marked by the patched fetch, whichever copy of the package made it).
const fetchBodies = processGlobal('fetch-bodies', () => new WeakSet<ReadableStream>())

/** Marks a `fetch()` response's body, which is cancelled at once (see the top of this file). */
export function markFetchBody(response: Response): Response {
  if (response.body !== null) fetchBodies.add(response.body)
  return response
}

/** Locks `body` and reads it; throws as `getReader()` does for a locked body. */
export function bodyReader(body: ReadableStream<Uint8Array>): BodyReader {
  const deferring = DEFERS_CANCEL && !fetchBodies.has(body) && isByteStream(body)
  const reader = body.getReader()
  if (!deferring) return { read: () => reader.read(), cancel: (reason) => reader.cancel(reason).catch(ignore) }
  let inFlight: Promise<ReadableStreamReadResult<Uint8Array>> | undefined
  let cancelling: Promise<void> | undefined
  return {
    read() {
      // A read made now would be in flight again when the cancel is made.
      if (cancelling !== undefined) return Promise.resolve({ done: true, value: undefined })
      const read = reader.read()
      inFlight = read
      const settled = () => {
        if (inFlight === read) inFlight = undefined
      }
      read.then(settled, settled)
      return read
    },
    cancel(reason) {
      if (cancelling !== undefined) return cancelling
      const waiting = inFlight
      cancelling = waiting === undefined ? reader.cancel(reason).catch(ignore) : waiting.then((result) => (result.done ? undefined : reader.cancel(reason).catch(ignore)), ignore)
      return cancelling
    },
  }
}

// Node keeps a stream's controller in its state, under a symbol found here by shape on two probe
// streams (no internal name is relied on). Where it is not found, the BYOB probe below answers:
// several times dearer (a default stream throws), on every streamed response.
const stateKey: symbol | undefined = (() => {
  const bytes = new ReadableStream({ type: 'bytes' })
  const plain = new ReadableStream()
  return Object.getOwnPropertySymbols(bytes).find((key) => hasByteController(bytes, key) && !hasByteController(plain, key))
})()

function hasByteController(stream: ReadableStream, key: symbol): boolean {
  const state = (stream as unknown as Record<symbol, { controller?: unknown } | undefined>)[key]
  return typeof state === 'object' && state !== null && state.controller instanceof ReadableByteStreamController
}

// undici's bodies are byte streams; a handler's own `new ReadableStream({ pull })` is not.
function isByteStream(body: ReadableStream<Uint8Array>): boolean {
  if (stateKey !== undefined) return hasByteController(body, stateKey)
  try {
    body.getReader({ mode: 'byob' }).releaseLock()
    return true
  } catch {
    return false
  }
}
