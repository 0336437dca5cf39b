import { ResponseCookies, type ResponseCookie } from '@edge-runtime/cookies'
import type { RequestStore } from './context.ts'
import { routeHandlersError } from './errors.ts'
import { knownBody } from './known-body.ts'
import { cookieToSet, replaceSetCookies } from './next/cookie-semantics.ts'
import type { LoadedRoute } from './loaded-route.ts'
import { hasOnlyJsonContentType, pendingJsonText, type NextResponse } from './next/next-response.ts'

// Statuses whose responses never carry a body (Fetch's null body statuses that a handler can send).
const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * True for a `Response` from this realm or from another copy of undici (checked by shape, as a
 * route file may bundle its own fetch).
 */
export function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Response>
  return typeof candidate.status === 'number' && typeof candidate.headers?.get === 'function' && 'body' in candidate
}

/**
 * Turns what a handler returned into the response to send (SPEC "Results"): rejects what is not a
 * Response or is a middleware-only NextResponse, merges `cookies()` changes, strips internal `x-middleware-*`
 * headers and hop-by-hop ones ({@link HOP_BY_HOP}), and drops bodies that must not be sent. The handler's Response is reused unless
 * something must change.
 */
export function finishResponse(result: unknown, route: LoadedRoute, method: string, store: RequestStore): Response {
  if (!isResponse(result)) throw routeHandlersError('RH_ERR_HANDLER_RESULT', [route.entry.relativeFile, method, describeValue(result)])
  // `Response.error()` (status 0), or a foreign Response's status no HTTP answer has: the same
  // error on every host, rather than each host's own complaint about the status.
  if (!(result.status >= 200 && result.status <= 599)) {
    throw routeHandlersError('RH_ERR_RESPONSE_INVALID', [`its status ${result.status} is not one an HTTP response can have (Response.error() has status 0)`])
  }
  // Cookies set through cookies() belong to this request only: they never go onto the handler's
  // own Response, which may be a module-level object returned to every request.
  const cookies = store.cookies?.modified() ?? []
  // The common case, NextResponse.json(data): no headers but its content type, nothing to change.
  if (hasOnlyJsonContentType(result) && method !== 'HEAD' && cookies.length === 0) return result
  if (result.headers.has('x-middleware-rewrite')) {
    throw routeHandlersError('RH_ERR_HANDLER_NEXT_RESPONSE', [route.entry.relativeFile, method, 'rewrite'])
  }
  if (result.headers.has('x-middleware-next')) {
    throw routeHandlersError('RH_ERR_HANDLER_NEXT_RESPONSE', [route.entry.relativeFile, method, 'next'])
  }
  const hasBody = pendingJsonText(result) !== undefined || result.body !== null
  const dropBody = hasBody && (method === 'HEAD' || NULL_BODY_STATUSES.has(result.status))
  // Stripping internal headers in place is harmless; anything else works on a copy.
  if (!dropBody && cookies.length === 0 && result instanceof Response) {
    try {
      stripInternalHeaders(result.headers)
      return result
    } catch {
      // Immutable headers (Response.redirect(), fetch()): copied below.
    }
  }
  // A NextResponse.json() answer nothing has read: a lazy copy keeps it cheap to send.
  if (!dropBody && pendingJsonText(result) !== undefined) {
    const copy = (result as NextResponse).clone()
    stripInternalHeaders(copy.headers)
    mergeCookies(copy.headers, cookies)
    return copy
  }
  const headers = new Headers(result.headers)
  stripInternalHeaders(headers)
  mergeCookies(headers, cookies)
  if (dropBody) void result.body?.cancel().catch(() => {})
  // Text or bytes the body was made from stay what the copy is made from: hosts write such a body
  // with its head in one go (Node then sends the head's non-ASCII text as UTF-8, as next start
  // does, where a head written alone goes out as Latin-1), as they write the handler's own.
  const body = dropBody ? null : (copiedBody(result, headers) ?? result.body)
  return new Response(body, { status: result.status, statusText: result.statusText, headers })
}

const UTF8 = new TextEncoder()

/**
 * The text or bytes `response`'s body was made from, for a copy with `headers`: as bytes when the
 * headers have no type, since undici types a string body `text/plain` (a handler that deleted the
 * type sends none, as in Next.js).
 */
function copiedBody(response: Response, headers: Headers): BodyInit | undefined {
  const known = knownBody(response)
  if (typeof known === 'string' && !headers.has('content-type')) return UTF8.encode(known)
  return known as BodyInit | undefined
}

/**
 * Headers of one connection (RFC 9110 §7.6.1), which a proxy route copying an upstream's headers
 * passes on: the host frames and keeps its own connection (`Transfer-Encoding: chunked` beside the
 * `Content-Length` a host gives a complete body is a response clients refuse; an upstream's
 * `Connection: close` would close every client connection after the answer).
 */
export const HOP_BY_HOP = new Set(['transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade'])

/**
 * Removes internal `x-middleware-*` headers, hop-by-hop ones, and `Content-Encoding` with the
 * `Content-Length` beside it, as Next.js does (its FORBIDDEN_HEADERS): `fetch()` decodes a gzip
 * body and keeps the upstream's headers, so `return fetch(upstream)` would declare an encoding
 * the body no longer has and a length of the encoded bytes (the response was cut short, trial).
 * Compression is the host's (`compression`, `@fastify/compress`). A handler's own `Content-Length`
 * otherwise stays (Next drops it too: "Differences from Next.js").
 */
function stripInternalHeaders(headers: Headers): void {
  let internal: string[] | undefined
  for (const name of headers.keys()) {
    if (name.startsWith('x-middleware-') || HOP_BY_HOP.has(name)) (internal ??= []).push(name)
    else if (name === 'content-encoding') (internal ??= []).push(name, 'content-length')
  }
  if (internal) for (const name of internal) headers.delete(name)
}

/**
 * Adds the cookies the handler set with `cookies()` to `headers`, one `Set-Cookie` per name; a
 * cookie of the same name already on the response wins. This is Next.js's `appendMutableCookies`
 * (each modified cookie set into the response's ResponseCookies, then each returned one again),
 * with the headers written once at the end rather than on every `set()` (issue 10 #2).
 * `modified`: cookies as `cookies()` keeps them, defaults already filled in by its `set()`.
 */
export function mergeCookies(headers: Headers, modified: ResponseCookie[]): void {
  if (modified.length === 0) return
  const returned = new ResponseCookies(headers).getAll()
  if (returned.length === 0) {
    replaceSetCookies(headers, modified.map(renewed))
    return
  }
  // Map order is Set-Cookie order: the returned cookies where they were, then the new names.
  const merged = new Map<string, ResponseCookie>()
  for (const cookie of returned) merged.set(cookie.name, cookie)
  for (const cookie of modified) if (!merged.has(cookie.name)) merged.set(cookie.name, renewed(cookie))
  for (const cookie of returned) merged.set(...cookieToSet([cookie]))
  replaceSetCookies(headers, merged.values())
}

// A cookie of cookies() set again, as the merge does: set() already filled in its defaults, so only
// the expiry a Max-Age gives changes (it counts from now).
function renewed(cookie: ResponseCookie): ResponseCookie {
  return cookie.maxAge ? cookieToSet([cookie])[1] : cookie
}

/** What a value is, for error messages: `undefined`, `a string`, `an object (Map)`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  // The value itself, shortened: `throw 'not found'` is found in the log by what it said.
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)})`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `a ${typeof value} (${String(value)})`
  if (typeof value !== 'object') return `a ${typeof value}`
  const name = (value as object).constructor?.name
  return name ? `an object (${name})` : 'an object'
}
