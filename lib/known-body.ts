/**
 * The body of a `Response` made from a string or bytes (`new Response('text')`, undici's own
 * `Response.json(data)`), read without its stream: a host writes it in one go with its length,
 * instead of pumping a `ReadableStream` that holds nothing more. undici keeps what a body was made
 * from beside its stream (`body.source`, with `body.length`), in the Response's internal state
 * under a symbol. Nothing here names undici's symbols or relies on its version: the state is found
 * by shape on a probe Response at start-up, and checked again on each response; where the shape is
 * not there (another fetch implementation, a future undici), every body is read as a stream.
 */

interface UndiciBody {
  stream: ReadableStream<Uint8Array> | null
  source: unknown
  length: number | null
}

/** The symbol-keyed member of a Response that holds `{ body: { stream, source, length } }`. */
const stateKey: symbol | undefined = (() => {
  try {
    const probe = new Response('probe')
    for (const key of Object.getOwnPropertySymbols(probe)) {
      const body = ((probe as unknown as Record<symbol, { body?: UndiciBody } | undefined>)[key])?.body
      if (body?.source === 'probe' && body.length === 5 && body.stream instanceof ReadableStream) return key
    }
  } catch {
    // No such state: the fast path stays off.
  }
  return undefined
})()

/** Whether this Node line's undici keeps a body's source where {@link knownBody} can read it (Node 20 and 22; Node 24's keeps it in private fields). */
export const knowsBodySources = stateKey !== undefined

/**
 * The bytes or text a response's body was made from, when it was made from a string or bytes and
 * nothing has read it; `undefined` otherwise (a stream, a Blob, a body already used or locked,
 * bytes a clone's read took).
 *
 * @example
 * knownBody(Response.json({ ok: true })) // Uint8Array of '{"ok":true}'
 */
export function knownBody(response: Response): string | Uint8Array | undefined {
  if (stateKey === undefined) return undefined
  const body = ((response as unknown as Record<symbol, { body?: UndiciBody | null } | undefined>)[stateKey])?.body
  if (!body || body.stream === null || body.stream.locked || response.bodyUsed) return undefined
  const { source } = body
  if (typeof source === 'string') return source
  // Bytes whose buffer a read of a clone moved away (Node 20's undici transfers it into the stream
  // it reads; the clones share `source`) are empty now: this copy's stream still has them.
  return source instanceof Uint8Array && source.byteLength === body.length ? source : undefined
}
