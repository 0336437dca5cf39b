import { tmpdir } from 'node:os'
import { standardError } from '../errors.ts'
import { NEXT_URL_SOURCE, NextRequest, nextRequestBasePath, type NextRequestInit } from '../next/next-request.ts'
import { serializedUrl } from '../serialized-url.ts'
import { parseMultipart } from './form-data.ts'
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './limits.ts'
import { readLimited, tooLarge } from './read-limited.ts'
import { Spool } from './spool.ts'
import { parseUrlEncoded } from './urlencoded.ts'

export interface RouteRequestInit extends NextRequestInit {
  limits?: BodyLimits
  /**
   * Makes `request.signal` on first use. Hosts pass this instead of `signal`: a signal given to
   * the Request constructor costs more than the rest of the request together, and most handlers
   * never look at it.
   */
  lazySignal?: () => AbortSignal
  /**
   * Registers a callback for when the host has sent the response (Node hosts: the response's
   * `close`). `after()` callbacks wait for it; without it they wait for the response body to be read.
   */
  whenSent?: (callback: () => void) => void
}

/** Where a host's request body comes from. */
export interface BodySource {
  /** The body as a Web stream. */
  stream(): ReadableStream<Uint8Array>
  /** The whole body within `limit` bytes, read without a Web stream in between. */
  readAll(limit: number, declaredLength: string | null): Promise<Uint8Array>
  /**
   * Called when the handler reads the body as bytes or text (`text()`, `arrayBuffer()`, `bytes()`,
   * `blob()`), not parsed (`json()`, `formData()`): bytes that are not the client's matter then.
   */
  rawRead?(): void
}

/** A request a host describes without building an undici Request (see lazy-request.ts). */
export interface PendingRequest {
  method: string
  url: string
  headers: () => Headers
  /**
   * One header as the client sent it, read without building `headers` (the POST hot path checks
   * `content-type` and `content-length`, a cached GET looks for the draft mode cookie). Only for
   * names the host neither adds nor rewrites.
   */
  header?: (name: RawHeaderName) => string | null
  body: BodySource | null
  /** The host framework's own request object (Fastify's `request`), for {@link hostRequestOf}. */
  host?: unknown
}

const ROUTE = Symbol('route-request')

interface RouteRequestState {
  limits: BodyLimits
  /** The temporary files of `formData()` with `multipart.spool`, made by the first spooled form. */
  spool: Spool | undefined
  /** The host said the response is done: a spool made from now on is disposed at once. */
  released: boolean
  /** What a form read after the release fails with, when not `RH_ERR_FORM_ABANDONED`. */
  releaseReason: Error | undefined
  /** `after()` work that may still read spooled files: they are deleted once it has settled (see holdUploads). */
  uploadHolds: Promise<void>[] | undefined
  lazySignal: (() => AbortSignal) | undefined
  signal: AbortSignal | undefined
  whenSent: ((callback: () => void) => void) | undefined
  /** Set on requests a host made lazily; the members below serve those only. */
  pending: PendingRequest | undefined
  /** `pending.url` serialized, made on first read. */
  url: string | undefined
  headers: Headers | undefined
  /** The undici Request behind a lazy request, built when something needs what only it has. */
  real: Request | undefined
  /** The body was read whole, straight from the host. */
  consumed: boolean
  /** The mount-relative path the route file was matched with, raw (what cache keys and tags use). */
  matchedPathname: string | undefined
}

const MULTIPART = /^multipart\/form-data\b/i
const URLENCODED = /^application\/x-www-form-urlencoded\b/i

const NOTHING_TO_RELEASE: Promise<void> = Promise.resolve()

/**
 * The request handlers receive: a `NextRequest` whose buffered body reads obey the body limits
 * (413 past `bodyLimit`), whose `json()` answers malformed input with a 400 `SyntaxError`, and
 * whose `formData()` streams through busboy with multipart limits. Streaming `request.body` stays
 * unlimited. Everything else is the standard `Request`.
 *
 * Hosts make it lazily (`createLazyRouteRequest`): method, URL and headers come from the host's
 * request, a JSON or text body is read straight from the socket, and the undici Request is built
 * only when something asks for what only it has (`body` as a stream, `clone()`, `new Request(req)`).
 */
export class RouteRequest extends NextRequest {
  declare [ROUTE]: RouteRequestState

  constructor(input: URL | RequestInfo, init: RouteRequestInit = {}) {
    const { limits, lazySignal, whenSent, ...requestInit } = init
    super(input, requestInit)
    this[ROUTE] = routeState(limits, lazySignal, whenSent, undefined)
  }

  override get method(): string {
    return this[ROUTE].pending?.method ?? super.method
  }

  override get url(): string {
    const state = this[ROUTE]
    if (!state.pending) return super.url
    return (state.url ??= serializedUrl(state.pending.url))
  }

  // The URL as the host built it: NextURL parses it only when asked, into the serialized form `url`
  // has, and a handler that reads only `nextUrl.searchParams` (its query's values are the same
  // either way) pays for no serialization.
  override [NEXT_URL_SOURCE](): string {
    return this[ROUTE].pending?.url ?? this.url
  }

  override get headers(): Headers {
    const state = this[ROUTE]
    if (!state.pending) return super.headers
    return (state.headers ??= state.pending.headers())
  }

  override get signal(): AbortSignal {
    const state = this[ROUTE]
    if (state.lazySignal) return (state.signal ??= state.lazySignal())
    return state.pending ? realOf(this).signal : super.signal
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this[ROUTE].pending ? realOf(this).body : super.body
  }

  override get bodyUsed(): boolean {
    const state = this[ROUTE]
    if (!state.pending) return super.bodyUsed
    return state.consumed || (state.real?.bodyUsed ?? false)
  }

  override get cache(): RequestCache {
    return this[ROUTE].pending ? realOf(this).cache : super.cache
  }

  override get credentials(): RequestCredentials {
    return this[ROUTE].pending ? realOf(this).credentials : super.credentials
  }

  override get destination(): RequestDestination {
    return this[ROUTE].pending ? realOf(this).destination : super.destination
  }

  override get integrity(): string {
    return this[ROUTE].pending ? realOf(this).integrity : super.integrity
  }

  override get keepalive(): boolean {
    return this[ROUTE].pending ? realOf(this).keepalive : super.keepalive
  }

  override get mode(): RequestMode {
    return this[ROUTE].pending ? realOf(this).mode : super.mode
  }

  override get redirect(): RequestRedirect {
    return this[ROUTE].pending ? realOf(this).redirect : super.redirect
  }

  override get referrer(): string {
    return this[ROUTE].pending ? realOf(this).referrer : super.referrer
  }

  override get referrerPolicy(): ReferrerPolicy {
    return this[ROUTE].pending ? realOf(this).referrerPolicy : super.referrerPolicy
  }

  // undici's, and not in TypeScript's Request (`duplex` only in RequestInit): undici 7 and 8 (Node
  // 24+) check these against private fields, which a lazily made request lacks. A request made,
  // not navigated to, has neither flag; every request's duplex is "half".
  get isReloadNavigation(): boolean {
    return this[ROUTE].pending ? false : undiciGetter<boolean>(this, 'isReloadNavigation', false)
  }

  get isHistoryNavigation(): boolean {
    return this[ROUTE].pending ? false : undiciGetter<boolean>(this, 'isHistoryNavigation', false)
  }

  get duplex(): 'half' {
    return this[ROUTE].pending ? 'half' : undiciGetter<'half'>(this, 'duplex', 'half')
  }

  /**
   * A copy whose buffered reads keep the body limits, as the original's do (umami reads every body
   * as `request.clone().json()`: undici's copy would read any size). Its spooled uploads are
   * released with the original's, once the host has sent the response.
   */
  override clone(): RouteRequest {
    const state = this[ROUTE]
    const copied = state.pending ? realOf(this).clone() : super.clone()
    const copy = new RouteRequest(copied, { limits: state.limits, whenSent: state.whenSent, nextConfig: { basePath: nextRequestBasePath(this) } })
    // after() holds the original's uploads, and the copy's with them.
    copy[ROUTE].uploadHolds = state.uploadHolds ??= []
    state.whenSent?.(() => void copy.releaseUploads())
    return copy
  }

  // Not async, nor text() and json() below: a body read from the socket is decoded in the one
  // promise reaction that receives it (each async layer costs a microtask turn and a promise).
  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    this[ROUTE].pending?.body?.rawRead?.()
    return readBytes(this)
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes()
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  }

  override text(): Promise<string> {
    return this.bytes().then(decodeUtf8)
  }

  override json(): Promise<unknown> {
    return readBytes(this).then(parseJson)
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: requestHeader(this, 'content-type') ?? '' })
  }

  override async formData(): Promise<FormData> {
    const contentType = requestHeader(this, 'content-type') ?? ''
    const multipart = MULTIPART.test(contentType)
    if (!multipart && !URLENCODED.test(contentType)) {
      throw standardError(TypeError, 'RH_ERR_BODY_UNSUPPORTED_TYPE', [])
    }
    const body = unreadBody(this)
    if (body === null) return new FormData()
    const state = this[ROUTE]
    const { limits } = state
    const declared = requestHeader(this, 'content-length')
    if (!multipart) return parseUrlEncoded(body, declared, limits)
    if (limits.multipart.spool === false && Number(declared ?? NaN) > limits.bodyLimit) {
      await body.cancel().catch(() => {})
      throw tooLarge(limits.bodyLimit, Number(declared))
    }
    return parseMultipart(body, contentType, limits, limits.multipart.spool === false ? null : spoolOf(state, limits.multipart.spool))
  }

  /**
   * Closes and deletes the temporary files of spooled uploads, once the host has sent the response
   * (the Node hosts: when it closes, whether finished, failed or abandoned by the client). A form
   * still being read then fails at once, with `reason` (the Node hosts, when the client left:
   * `RH_ERR_BODY_INCOMPLETE` mid-body, `RH_ERR_CLIENT_GONE` once it had sent it all), else
   * `RH_ERR_FORM_ABANDONED`. The files themselves stay until the request's `after()` callbacks
   * have settled (see holdUploads). Never rejects: a temporary file that cannot be deleted is left
   * to the OS's temp cleanup. Without uploads (most requests) it has nothing to wait for and makes
   * no promise.
   */
  releaseUploads(reason?: Error): Promise<void> {
    const state = this[ROUTE]
    state.released = true
    if (reason !== undefined) state.releaseReason = reason
    return state.spool ? state.spool.dispose(reason, state.uploadHolds).catch(() => {}) : NOTHING_TO_RELEASE
  }
}

// The request's spool, made on first use in the folder `multipart.spool` names (`true`: the OS's).
function spoolOf(state: RouteRequestState, folder: true | string): Spool {
  if (state.spool) return state.spool
  state.spool = new Spool(folder === true ? tmpdir() : folder)
  if (state.released) void state.spool.dispose(state.releaseReason, state.uploadHolds)
  return state.spool
}

// The body's bytes, for `bytes()` and what parses them (a module function: lazily made requests
// carry no private brand).
function readBytes(request: RouteRequest): Promise<Uint8Array<ArrayBuffer>> {
  const state = request[ROUTE]
  const limit = state.limits.bodyLimit
  try {
    const declared = requestHeader(request, 'content-length')
    if (state.pending && !state.real) {
      if (state.consumed) throw unusable()
      state.consumed = true
      const source = state.pending.body
      return (source === null ? Promise.resolve(new Uint8Array(0)) : source.readAll(limit, declared)) as Promise<Uint8Array<ArrayBuffer>>
    }
    const body = unreadBody(request)
    if (body === null) return Promise.resolve(new Uint8Array(0))
    return readLimited(body, limit, declared) as Promise<Uint8Array<ArrayBuffer>>
  } catch (error) {
    return Promise.reject(error)
  }
}

// A module function, not a `#private` method: lazily made requests carry no private brand.
function unreadBody(request: RouteRequest): ReadableStream<Uint8Array> | null {
  if (request.bodyUsed) throw unusable()
  return request.body
}

/** Attaches the state a lazily made request needs (see lazy-request.ts). */
export function initLazyRouteRequest(
  request: RouteRequest,
  pending: PendingRequest,
  limits: BodyLimits,
  lazySignal: () => AbortSignal,
  whenSent: ((callback: () => void) => void) | undefined,
): void {
  request[ROUTE] = routeState(limits, lazySignal, whenSent, pending)
}

/**
 * The host framework's own request object a host made `request` from (Fastify's `request`, whose
 * `log` carries its `reqId`), or `undefined`.
 */
export function hostRequestOf(request: Request): unknown {
  return request instanceof RouteRequest ? request[ROUTE].pending?.host : undefined
}

/** The headers a host can read without building `headers`. */
export type RawHeaderName = 'content-type' | 'content-length' | 'cookie'

/**
 * `request.headers.get(name)`, without making a lazily made request build its `Headers` (an
 * undici `Headers` of every header, per POST) when the host can read the one header directly.
 */
export function requestHeader(request: Request, name: RawHeaderName): string | null {
  if (request instanceof RouteRequest) {
    const state = request[ROUTE]
    if (state.headers === undefined && state.pending?.header) return state.pending.header(name)
  }
  return request.headers.get(name)
}

/** Records the path `request` was matched with (see {@link matchedPathnameOf}). */
export function setMatchedPathname(request: RouteRequest, pathname: string): void {
  request[ROUTE].matchedPathname = pathname
}

/** The mount-relative path the request was matched with, raw, once the core has matched it. */
export function matchedPathnameOf(request: Request): string | undefined {
  return request instanceof RouteRequest ? request[ROUTE].matchedPathname : undefined
}

/**
 * Keeps the request's spooled uploads on disk until the returned function is called, past the
 * response: `after()` work may read a form's files (Next.js keeps them in memory, readable for as
 * long as something holds them; processing an upload in `after()` is what it is for). The function
 * returns what settles once the files are gone, when they are going (the response is done and
 * nothing else holds them). `undefined` for a request no host made.
 */
export function holdUploads(request: Request): (() => Promise<void> | undefined) | undefined {
  if (!(request instanceof RouteRequest)) return undefined
  const state = request[ROUTE]
  let release!: () => void
  ;(state.uploadHolds ??= []).push(new Promise<void>((resolve) => (release = resolve)))
  return () => {
    release()
    return state.spool?.removal
  }
}

/**
 * Holds the request's spooled uploads, and `close()` with them, until `work` settles and the files
 * are gone: a promise given to `after()` or `waitUntil()` that reads a form's files.
 */
export function keepUploadsFor(request: Request, work: PromiseLike<unknown>, holdClose: () => () => void): void {
  const release = holdUploads(request)
  if (release === undefined) return
  const closeHeld = holdClose()
  const settled = () => void Promise.resolve(release()).then(closeHeld)
  Promise.resolve(work).then(settled, settled)
}

/** The host's "response sent" notification for `request`, when a host made it (see `whenSent`). */
export function whenResponseSent(request: Request): ((callback: () => void) => void) | undefined {
  return request instanceof RouteRequest ? request[ROUTE].whenSent : undefined
}

/**
 * Makes `request.signal` abort also when `signal` does, with its reason (a route's time budget);
 * the host's own abort (the client left) still counts. Call before the handler runs.
 */
export function abortAlsoWith(request: RouteRequest, signal: AbortSignal): void {
  const state = request[ROUTE]
  const made = state.signal
  // Hosts always give a lazy request its lazySignal; a request built from a Request has its own.
  const own = made ? () => made : (state.lazySignal ?? (() => requestSignal.call(request)))
  state.signal = undefined
  state.lazySignal = () => AbortSignal.any([own(), signal])
}

const requestSignal = Object.getOwnPropertyDescriptor(Request.prototype, 'signal')!.get! as (this: Request) => AbortSignal

// A getter of undici's Request that TypeScript's Request type does not declare, read for `request`.
function undiciGetter<T>(request: Request, name: string, missing: T): T {
  const getter = Object.getOwnPropertyDescriptor(Request.prototype, name)?.get
  return getter ? (getter.call(request) as T) : missing
}

/**
 * The URL routing reads: for a request a host made, the one it was built with, whose path is the
 * target as the client sent it and the host routed it (`request.url` is its serialized form, with
 * dot segments resolved and a backslash made a slash); for any other request, `request.url`.
 */
export function routedUrl(request: Request): string {
  return request instanceof RouteRequest ? (request[ROUTE].pending?.url ?? request.url) : request.url
}

/** The undici Request behind a lazily made request, built on first need. */
export function realOf(request: RouteRequest): Request {
  const state = request[ROUTE]
  if (!state.real) {
    const pending = state.pending!
    // A body read straight from the host is gone: the real request's is used too, so a copy
    // (clone(), new Request(request), fetch(request)) throws as it would for a read Request,
    // rather than sending nothing.
    const read = state.consumed && pending.body !== null
    const body = read ? new ReadableStream() : (pending.body?.stream() ?? null)
    state.real = new Request(request.url, {
      method: pending.method,
      headers: request.headers,
      // So copies abort with the client too.
      ...(state.lazySignal ? { signal: request.signal } : {}),
      body,
      ...(body === null ? {} : { duplex: 'half' }),
    } as RequestInit)
    if (read) void state.real.body!.getReader().read()
  }
  return state.real
}

function routeState(
  limits: BodyLimits | undefined,
  lazySignal: (() => AbortSignal) | undefined,
  whenSent: ((callback: () => void) => void) | undefined,
  pending: PendingRequest | undefined,
): RouteRequestState {
  return {
    limits: limits ?? DEFAULT_BODY_LIMITS,
    spool: undefined,
    released: false,
    releaseReason: undefined,
    uploadHolds: undefined,
    lazySignal,
    signal: undefined,
    whenSent,
    pending,
    url: undefined,
    headers: undefined,
    real: undefined,
    consumed: false,
    matchedPathname: undefined,
  }
}

// A malformed body is the client's error: 400, still a SyntaxError as JSON.parse throws.
function parseJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw standardError(SyntaxError, 'RH_ERR_BODY_MALFORMED_JSON', [(error as Error).message], { cause: error })
  }
}

/** Fetch's "UTF-8 decode": a leading byte order mark is dropped, bad sequences become U+FFFD. */
function decodeUtf8(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  // Buffer#toString decodes as TextDecoder does, without making a decoder per call.
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('utf8')
}

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read')
}
