/**
 * Node ⇄ Web plumbing shared by every Node host (the standalone server, Express, Fastify): an
 * `IncomingMessage` becomes a `NextRequest`, a Web `Response` is written onto a `ServerResponse`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { types } from 'node:util'
import type { BodyLimits } from '../lib/body/limits.ts'
import { bodyReader, type BodyReader } from '../lib/body/body-reader.ts'
import { createRouteRequest } from '../lib/body/lazy-request.ts'
import type { BodySource, RawHeaderName, RouteRequest } from '../lib/body/route-request.ts'
import { hasOnlyJsonContentType, pendingHeaderPairs, pendingJsonText } from '../lib/next/next-response.ts'
import { isRouteHandlersError, routeHandlersError } from '../lib/errors.ts'
import { describeValue } from '../lib/handler-result.ts'
import { knownBody } from '../lib/known-body.ts'
import { mergedVary } from '../lib/vary.ts'
import { requestUrl } from './_request-url.ts'
import type { Logger } from '../lib/types.ts'
import { closeAfterResponse } from './_body-idle.ts'
import { keptFromHere } from './_flowing-payload.ts'
import { rebuildConsumedBody } from './_consumed-body.ts'
import { carriesBody, drainRest, fixedBodySource, nodeBodySource, UNREAD_BODY, type NodeBodySource } from './_node-body.ts'
import { drainWaiter, responseClosed, writeChunk } from './_response-writes.ts'
import { claimsUntrustedHttps } from './_untrusted-https.ts'

/**
 * The client as the host framework sees it, honouring its trust-proxy setting: Express's `req` and
 * Fastify's `request` are ones (their `protocol`, `host` and `ip` getters), so nothing is made per
 * request to carry it.
 */
export interface ClientView {
  /** `http` or `https`. */
  readonly protocol: string
  /** Host and port, as the client addressed the server. */
  readonly host: string | undefined
  /** The client's address; read only when the request's headers are built and need it. */
  readonly ip: string | undefined
}

/** What a request tells its adapter, which warns (once): the request itself only reports. */
export interface RequestNotices {
  /** The handler read a body a parser had consumed, as rebuilt from its parsed value. */
  readonly reserializedRead?: (method: string, path: string, regrouped: boolean) => void
  /** The headers were built for a request claiming https (`X-Forwarded-Proto`) the host sees as http. */
  readonly untrustedHttps?: () => void
}

/**
 * Builds the handler's request. Its URL is absolute: the client's origin (throws
 * `RH_ERR_HOST_INVALID` for a hostile host) + `path`, the original path and query byte for byte
 * (an absolute-form target's own scheme and authority dropped);
 * `basePath` is the mount prefix. Its headers get the `x-forwarded-*` headers Next.js's server adds
 * (see {@link withForwarded}). The signal aborts when the client goes away before the
 * response has finished, watched on the response side: the request's own `close` fires as soon as
 * a POST body has been read. `source` is where the body comes from when the host has put a stream
 * in front of `req` (Fastify's preParsing hooks). A body an earlier parser consumed is rebuilt
 * (`notices.reserializedRead` when the handler reads as text or bytes one rebuilt from a parsed
 * value, or reads at all a form rebuilt with its fields regrouped).
 * Spooled uploads are released once the response is done (and deleted once `after()` callbacks
 * have settled). The request is lazy: no undici Request, Headers or body stream exists until the
 * handler needs one.
 */
export function toNextRequest(
  req: IncomingMessage,
  res: ServerResponse,
  client: ClientView,
  path: string,
  basePath: string,
  limits: BodyLimits,
  source: Readable = req,
  hostView: { readonly headers: IncomingHttpHeaders } = req,
  notices: RequestNotices = {},
): RouteRequest {
  let controller: AbortController | undefined
  // Made on first use of request.signal; already aborted if the client left before that.
  const lazySignal = () => {
    controller = new AbortController()
    if (responseClosed(res) && !sentInFull(req, res)) controller.abort()
    else watchClose()
    return controller.signal
  }
  const url = requestUrl(client.protocol, client.host, path)
  const method = req.method ?? 'GET'
  let body: BodySource | null = null
  let unread: NodeBodySource | undefined
  let unreadSource = source
  let headers = () => withForwarded(toHeaders(hostView.headers), hostView.headers, req, client, notices)
  // Node keeps one content-type and one content-length (it drops or refuses duplicates), and joins
  // cookie headers with '; '.
  let header: ((name: RawHeaderName) => string | null) | undefined = (name) => headerText(hostView.headers[name])
  if (method !== 'GET' && method !== 'HEAD') {
    if (source.readableDidRead || source.readableEnded) {
      const rebuilt = rebuildConsumedBody(req)
      if (rebuilt instanceof Error) {
        body = fixedBodySource(rebuilt)
      } else {
        const { reserializedRead } = notices
        const warn = reserializedRead && (() => reserializedRead(method, path.split('?')[0]!, rebuilt.regrouped))
        // A regrouped form differs however it is read; other rebuilt bodies only as text or bytes.
        body = rebuilt.regrouped ? fixedBodySource(rebuilt.bytes, undefined, warn) : fixedBodySource(rebuilt.bytes, rebuilt.reserialized ? warn : undefined)
        headers = () => withPlainLength(withForwarded(toHeaders(hostView.headers), hostView.headers, req, client, notices), rebuilt.bytes.byteLength)
      }
      header = undefined
    } else {
      // Flowing already: an app's middleware listens to the body too (an Express logger counting
      // bytes); what it is shown before the handler reads is kept for the handler.
      if (source.readableFlowing === true) unreadSource = keptFromHere(source)
      body = unread = nodeBodySource(unreadSource, { ms: limits.bodyTimeout, onTimeout: () => closeAfterResponse(req, res) })
    }
  }
  // `after()` callbacks wait for the response to close, as Next.js's onClose does.
  let sent: (() => void)[] | undefined
  const whenSent = (callback: () => void) => {
    // Node's HTTP/2 response has no `closed`: its stream's state says.
    if (res.closed || responseClosed(res)) return void setImmediate(callback)
    watchClose()
    ;(sent ??= []).push(callback)
  }
  const request = createRouteRequest({ method, url, headers, header, body, host: client }, { basePath, limits, lazySignal, whenSent })
  // One listener does it all: a response that closes unfinished means the client left. `on`, not
  // `once`, here and on every per-request path: `once()` allocates its wrapper's state at one site
  // in Node's events.js, which V8 pretenures once an app has registered thousands of routes (each
  // Fastify route adds a `once('preReady')` listener that lives until ready()); per-request state
  // then lands in old space and keeps the request's young objects alive through every scavenge
  // (~2 MB promoted per scavenge at 5,000 route files). `close` is emitted once anyway.
  const onClose = () => {
    // First: a spooled form still being read stops here (synchronously), so its body can be drained;
    // when the client left, as the client's failure (mid-body, or once it had sent it all).
    const finished = sentInFull(req, res)
    void request.releaseUploads(finished ? undefined : clientLeft(req))
    if (!finished) controller?.abort()
    else if (unread) drainRest(req, unreadSource, unread)
    else if (ignoredBody) drainRest(req, req, UNREAD_BODY)
    if (sent) for (const callback of sent) callback()
  }
  // A request with a body has uploads to release and a rest to drain: watched from the start.
  // Without one, only a signal or an `after()` callback needs the response's end, and the listener
  // is added when one is asked for (most GETs ask for neither; a listener is an allocation and a
  // call per request). Added then ahead of the others: a streamed response's own `close` listeners
  // (the adapter's, Fastify's) cancel its body, and the signal must abort first, as it would have
  // from the start and does in Next.js (an SSE handler closing its stream on `abort` would
  // otherwise close a cancelled one, and throw).
  // A GET or HEAD sent with a body, which no handler reads: Node discards it after the response,
  // for as long as the client sends; drained within the same limits instead.
  const ignoredBody = body === null && carriesBody(req)
  let watching = body !== null || ignoredBody
  const watchClose = () => {
    if (watching) return
    watching = true
    res.prependListener('close', onClose)
  }
  if (watching) res.on('close', onClose)
  return request
}

// Why a form still being read cannot finish once the client has gone.
function clientLeft(req: IncomingMessage): Error {
  return req.complete ? routeHandlersError('RH_ERR_CLIENT_GONE', []) : routeHandlersError('RH_ERR_BODY_INCOMPLETE', ['the client closed the connection'])
}

/**
 * Whether a response that is ready when the handler returns can be written in that same turn. Not
 * for a request with a body: a handler may have started reading it (`request.body.getReader()`,
 * `request.json()` on a request built eagerly) without its first read having reached the socket yet
 * (a Web stream pulls a microtask after it is made), and Node discards a request body nothing is
 * reading once the response has finished. One microtask later the read is under way.
 */
export function sendsAtOnce(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD'
}

/**
 * The `x-forwarded-*` headers Next.js's server sets on every request (base-server.ts), each only
 * when the client did not send it; one the client sent is kept as sent, whatever the host's trust
 * proxy setting, as Next.js keeps it. Auth.js and others read them for the site's own URL (without
 * `x-forwarded-proto`, Auth.js assumes https). Host, scheme and address are the host framework's
 * view, which for an absent header is the `Host` header and the connection's; the port is the one
 * the server listens on (`next start`'s port).
 */
function withForwarded(headers: Headers, sent: IncomingHttpHeaders, req: IncomingMessage, client: ClientView, notices: RequestNotices): Headers {
  if (sent['x-forwarded-host'] === undefined && client.host !== undefined) headers.set('x-forwarded-host', client.host)
  if (sent['x-forwarded-port'] === undefined) {
    headers.set('x-forwarded-port', String(req.socket.localPort ?? (client.protocol === 'https' ? 443 : 80)))
  }
  if (sent['x-forwarded-proto'] === undefined) headers.set('x-forwarded-proto', client.protocol)
  else if (notices.untrustedHttps && claimsUntrustedHttps(sent['x-forwarded-proto'], client.protocol)) notices.untrustedHttps()
  if (sent['x-forwarded-for'] === undefined) {
    const ip = client.ip
    if (ip !== undefined) headers.set('x-forwarded-for', ip)
  }
  return headers
}

// The parser decoded any gzip/deflate: the rebuilt body is the plain bytes.
function withPlainLength(headers: Headers, length: number): Headers {
  headers.delete('content-encoding')
  headers.set('content-length', String(length))
  return headers
}

/**
 * The request's headers as the host holds them (`req.headers`; Fastify's `request.headers`, which
 * adds what a hook assigned), as Next.js builds its request from them: what the app's middleware
 * added or changed (`req.headers['x-user-id']` set by an auth middleware) reaches the handler, and
 * duplicates are joined as Node joins them (`Cookie` with `; `). Middleware may put anything there:
 * a number is written as text, as Next.js writes it; a value a header cannot carry (a line break,
 * a character above U+00FF) is left out rather than failing every request that reads headers.
 */
function toHeaders(nodeHeaders: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const name in nodeHeaders) {
    // HTTP/2 pseudo-headers (`:path`) are not headers of the request.
    if (name.startsWith(':')) continue
    const value: unknown = nodeHeaders[name]
    if (Array.isArray(value)) for (const item of value) appendHeader(headers, name, item)
    else appendHeader(headers, name, value)
  }
  return headers
}

function appendHeader(headers: Headers, name: string, value: unknown): void {
  const text = headerText(value)
  if (text === null) return
  try {
    headers.append(name, text)
  } catch {
    // Not a header value (see toHeaders).
  }
}

// One header as text: a middleware's number or boolean as Next.js writes it; nothing for null.
function headerText(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return value.map(String).join(', ')
  return null
}

/** The start of a response body: all of it when it was already complete, else what came first. */
export type BodyStart =
  | { complete: true; bytes: Uint8Array }
  | { complete: false; chunks: Uint8Array[]; next: Promise<ReadableStreamReadResult<Uint8Array>> }

/**
 * Reads the first chunk of a body, then waits one turn of the event loop for the next: a body made
 * from a string, buffer or JSON is complete by then and can go out in one write with its length;
 * anything slower is a stream and goes out as it comes, without waiting longer. `next` is the read
 * to continue with.
 */
export async function startBody(reader: BodyReader): Promise<BodyStart> {
  const first = await reader.read()
  if (first.done) return { complete: true, bytes: new Uint8Array(0) }
  const pending = handled(reader.read())
  const second = await Promise.race([pending, new Promise<null>((resolve) => setImmediate(resolve, null))])
  if (second === null) return { complete: false, chunks: [asBytes(first.value)], next: pending }
  if (second.done) return { complete: true, bytes: asBytes(first.value) }
  return { complete: false, chunks: [asBytes(first.value), asBytes(second.value)], next: handled(reader.read()) }
}

/**
 * A chunk as bytes. Next.js writes each chunk of a body with `res.write()`, which takes text too:
 * a stream that enqueues strings goes out as their UTF-8 bytes, as its later chunks do here (the
 * hosts write them as they come).
 */
export function asBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk
}

// A read started early may fail before anyone awaits it; that must not count as unhandled. Whoever
// awaits it later still sees the failure.
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

/**
 * Writes `response` onto `res`: status, `statusText` and headers exactly (one `Set-Cookie` line per
 * cookie, appended after any set earlier by middleware), then the body with backpressure. A body
 * that is complete at once is sent in one write with `Content-Length`; a streamed one chunk by
 * chunk (flushed through `compression` when installed). A client that goes away cancels the body.
 *
 * Rejects with `RH_ERR_RESPONSE_INVALID` only when nothing was sent (an invalid header value or
 * status text), so the host can answer with its error handling. A failure after the head was sent
 * destroys the socket and is logged once; it never rejects.
 */
export async function sendResponse(res: ServerResponse, response: Response, logger: Logger): Promise<void> {
  // Each header this writes, with what the host had set under that name before (restored if the
  // response cannot be sent, so the host's error answer keeps its own `Vary`, `Cache-Control`).
  const earlier = new Map<string, HeaderValue>()
  const earlierCookies = res.getHeader('set-cookie')
  const undo = (error: unknown) => unsent(res, earlier, earlierCookies, error)
  try {
    const pairs = pendingHeaderPairs(response)
    if (hasOnlyJsonContentType(response)) {
      setHeader(res, earlier, 'content-type', 'application/json')
    } else if (pairs !== undefined) {
      // A cached answer replayed: its headers as stored, no undici Headers built.
      const cookies: string[] = []
      for (const [name, value] of pairs) {
        if (name === 'set-cookie') {
          cookies.push(value)
          continue
        }
        setHeader(res, earlier, name, value)
      }
      if (cookies.length > 0) res.appendHeader('set-cookie', cookies)
    } else {
      for (const [name, value] of response.headers) {
        if (name === 'set-cookie') continue
        setHeader(res, earlier, name, value)
      }
      const cookies = response.headers.getSetCookie()
      if (cookies.length > 0) res.appendHeader('set-cookie', cookies)
    }
    res.statusCode = response.status
    if (response.statusText) res.statusMessage = response.statusText
    const json = pendingJsonText(response)
    if (json !== undefined) {
      // NextResponse.json(): the text is at hand, no stream to read.
      res.setHeader('content-length', Buffer.byteLength(json))
      return void res.writeHead(res.statusCode).end(json)
    }
    const known = knownBody(response)
    if (known !== undefined) {
      // new Response(string), undici's Response.json(): what the body was made from, no stream to
      // read. Its length is known: a handler's own Content-Length that says otherwise would cut
      // the body short, or leave the client waiting for bytes that never come.
      res.setHeader('content-length', typeof known === 'string' ? Buffer.byteLength(known) : known.byteLength)
      return void res.writeHead(res.statusCode).end(known)
    }
    if (response.body === null) {
      // No body: a handler's Content-Length would have the client wait for bytes that never come.
      // A HEAD answer and a 304 keep it (the length of what a GET would send); a 204 has none.
      // (Removing the header otherwise would make Node send an empty chunked body.)
      if (res.hasHeader('content-length') && res.req.method !== 'HEAD' && res.statusCode !== 304) {
        if (res.statusCode === 204) res.removeHeader('content-length')
        else res.setHeader('content-length', 0)
      }
      // Without writeHead() first, so Node sends `Content-Length: 0` rather than an empty chunked body.
      return void res.end()
    }
  } catch (error) {
    void response.body?.cancel().catch(() => {})
    throw undo(error)
  }
  await pipeBody(res, response.body, logger, undo)
}

/**
 * Whether the response went out in full, as Next.js tells a finished response from a client that
 * left (`writableFinished`). Fastify's `inject()` (light-my-request) answers through a response
 * with no socket, whose `writableFinished` stays false: there, ended is finished, or every
 * injected request would abort its `request.signal` after a normal answer. Ended first: Node's
 * HTTP/2 response (Fastify's `http2: true`) is `writableFinished` too once the client reset its
 * stream (trial: an AI SDK stream ran to its end for a client long gone).
 */
function sentInFull(req: IncomingMessage, res: ServerResponse): boolean {
  return res.writableEnded && (res.writableFinished || '_lightMyRequest' in req)
}

async function pipeBody(
  res: ServerResponse,
  body: ReadableStream<Uint8Array>,
  logger: Logger,
  undo: (error: unknown) => Error,
): Promise<void> {
  let reader: BodyReader | undefined
  const cancel = () => void reader?.cancel()
  res.on('close', cancel) // not once(): see toNextRequest
  const drain = drainWaiter(res)
  try {
    reader = bodyReader(body)
    const start = await startBody(reader)
    if (start.complete) {
      // Known now: a Content-Length of the handler's own that says otherwise would desynchronize
      // the connection (see sendResponse).
      res.setHeader('content-length', start.bytes.byteLength)
      return void res.writeHead(res.statusCode).end(start.bytes)
    }
    // A streamed body under the handler's Content-Length: one that turns out wrong fails the
    // response (the connection is closed, the error logged) rather than leaving the client reading
    // the next answer as this one's rest, or waiting for bytes that never come.
    if (res.hasHeader('content-length')) res.strictContentLength = true
    res.writeHead(res.statusCode)
    for (const chunk of start.chunks) await writeChunk(res, chunk, drain)
    let chunk = await start.next
    for (; !chunk.done && !responseClosed(res); chunk = await reader.read()) {
      const draining = writeChunk(res, chunk.value, drain)
      if (draining !== undefined) await draining
    }
    // The client left (its `close` may have come before there was a reader to cancel).
    if (!chunk.done) cancel()
    else if (!responseClosed(res)) res.end()
  } catch (error) {
    cancel()
    if (!res.headersSent) throw undo(error)
    if (!responseClosed(res)) {
      logger.error('route-handlers: the response stream failed after the response had started', error)
      res.destroy()
    }
  } finally {
    res.off('close', cancel)
    drain.stop()
  }
}

type HeaderValue = ReturnType<ServerResponse['getHeader']>

// A header of the handler's response onto `res`, noting what the host had there first. A `Vary`
// adds to the host's (see mergedVary).
function setHeader(res: ServerResponse, earlier: Map<string, HeaderValue>, name: string, value: string): void {
  if (!earlier.has(name)) earlier.set(name, res.getHeader(name))
  res.setHeader(name, name === 'vary' ? mergedVary(res.getHeader('vary'), value) : value)
}

/** Puts back the headers the host had before the handler's, and wraps the reason the response could not be sent. */
function unsent(res: ServerResponse, earlier: ReadonlyMap<string, HeaderValue>, earlierCookies: HeaderValue, error: unknown): Error {
  for (const [name, value] of earlier) {
    if (value === undefined) res.removeHeader(name)
    else res.setHeader(name, value)
  }
  if (earlierCookies === undefined) res.removeHeader('set-cookie')
  else res.setHeader('set-cookie', earlierCookies)
  res.statusCode = 200
  res.statusMessage = ''
  return responseFailure(error)
}

/**
 * Why a handler's Response could not be sent (an invalid header, a body stream that failed before
 * its first bytes): `RH_ERR_RESPONSE_INVALID` (500) with the reason as its cause. A reason that is
 * not an Error is described, not quoted: it may be anything the handler's stream was errored with.
 * The route's maxDuration running out first stays the host's 504.
 */
export function responseFailure(error: unknown): Error {
  if (isRouteHandlersError(error) && error.code === 'RH_ERR_HANDLER_TIMEOUT') return error
  const detail = error instanceof Error || types.isNativeError(error) ? (error as Error).message : `its body failed with ${describeValue(error)}`
  return routeHandlersError('RH_ERR_RESPONSE_INVALID', [detail], { cause: error })
}
