import type { ResponseCookies } from '@edge-runtime/cookies'
import { ResponseCookieJar } from './response-cookies.ts'
import { undiciResponseJson } from './response-json.ts'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

export interface MiddlewareResponseInit extends ResponseInit {
  request?: { headers?: Headers }
}

// Symbol-keyed state, not `#private` fields: `NextResponse.json()` makes instances without running
// the constructor (below), and those have no private fields.
const COOKIES = Symbol('cookies')
const PENDING = Symbol('pending')

/** One response header: a name (lowercase) and its value. */
export type HeaderPair = readonly [name: string, value: string]

/**
 * A `NextResponse.json()` answer before anything has needed a real undici Response: the JSON text,
 * status and headers. Building the undici Response (and its body stream) costs more than the rest
 * of a small request together, and a host that writes the text directly never needs it.
 */
interface PendingJson {
  text: string
  status: number
  statusText: string
  /** Made on first use when `init` had none, so `NextResponse.json(data)` needs no Headers at all. */
  headers: Headers | undefined
  /** A cached answer's headers, as name/value pairs, until something needs `headers`. */
  pairs?: readonly HeaderPair[] | undefined
  /** The real Response, once something asked for what only it has. */
  real: Response | undefined
  used: boolean
}

/**
 * Next.js's `NextResponse`: a real `Response` with `cookies` and the `json`/`redirect` helpers.
 *
 * @example
 * export function GET() {
 *   const response = NextResponse.json({ ok: true }, { status: 201 })
 *   response.cookies.set('seen', '1')
 *   return response
 * }
 */
export class NextResponse<Body = unknown> extends Response {
  declare [COOKIES]: ResponseCookies | undefined
  declare [PENDING]: PendingJson | undefined
  // Keeps the JSON body's type for callers, as Next.js's class does.
  declare readonly __body?: Body

  /** The response's `Set-Cookie` headers as Next.js's ResponseCookies. */
  get cookies(): ResponseCookies {
    return (this[COOKIES] ??= new ResponseCookieJar(this.headers))
  }

  /**
   * A JSON response with `content-type: application/json`. Made lazily: the undici Response behind
   * it exists only once something reads its body as a stream or clones it.
   */
  static override json<JsonBody>(body: JsonBody, init?: ResponseInit): NextResponse<JsonBody> {
    const status = init?.status ?? 200
    // Anything unusual takes the standard path, which validates and throws as the Fetch standard says.
    if (init?.statusText !== undefined || !Number.isInteger(status) || status < 200 || status > 599 || status === 204 || status === 205 || status === 304) {
      const response = undiciResponseJson(body, init)
      return new NextResponse<JsonBody>(response.body, response)
    }
    const text = JSON.stringify(body) as string | undefined
    if (text === undefined) throw new TypeError('Value is not JSON serializable')
    const response = Object.create(NextResponse.prototype) as NextResponse<JsonBody>
    // Headers given are copied (and checked) now, as Response.json() would.
    const headers = init?.headers === undefined ? undefined : withJsonType(new Headers(init.headers))
    response[PENDING] = { text, status, statusText: '', headers, real: undefined, used: false }
    return response
  }

  /** A redirect to an absolute URL: 307 unless `init` says 301, 302, 303 or 308. */
  static override redirect(url: string | URL, init?: number | ResponseInit): NextResponse {
    const status = typeof init === 'number' ? init : (init?.status ?? 307)
    if (!REDIRECT_STATUSES.has(status)) throw new RangeError('Failed to execute "redirect" on "response": Invalid status code')
    const initObject = typeof init === 'object' ? init : {}
    const headers = new Headers(initObject.headers)
    headers.set('Location', validateURL(url))
    return new NextResponse(null, { ...initObject, headers, status })
  }

  /** Middleware only: returning it from a route handler is an error, as in Next.js. */
  static rewrite(destination: string | URL, init?: MiddlewareResponseInit): NextResponse {
    const headers = new Headers(init?.headers)
    headers.set('x-middleware-rewrite', validateURL(destination))
    return new NextResponse(null, { ...init, headers })
  }

  /** Middleware only: returning it from a route handler is an error, as in Next.js. */
  static next(init?: MiddlewareResponseInit): NextResponse {
    const headers = new Headers(init?.headers)
    headers.set('x-middleware-next', '1')
    return new NextResponse(null, { ...init, headers })
  }

  override get status(): number {
    return this[PENDING]?.status ?? super.status
  }

  override get statusText(): string {
    return this[PENDING]?.statusText ?? super.statusText
  }

  override get ok(): boolean {
    return this.status >= 200 && this.status <= 299
  }

  override get headers(): Headers {
    const pending = this[PENDING]
    if (!pending) return super.headers
    return (pending.headers ??= pending.pairs ? headersOf(pending.pairs) : withJsonType(new Headers()))
  }

  override get type(): ResponseType {
    return this[PENDING] ? 'default' : super.type
  }

  override get url(): string {
    return this[PENDING] ? '' : super.url
  }

  override get redirected(): boolean {
    return this[PENDING] ? false : super.redirected
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this[PENDING] ? realOf(this).body : super.body
  }

  override get bodyUsed(): boolean {
    const pending = this[PENDING]
    if (!pending) return super.bodyUsed
    return pending.used || (pending.real?.bodyUsed ?? false)
  }

  override async text(): Promise<string> {
    const pending = this[PENDING]
    if (!pending || pending.real) return pending?.real ? pending.real.text() : super.text()
    if (pending.used) throw new TypeError('Body is unusable: Body has already been read')
    pending.used = true
    return pending.text
  }

  override async json(): Promise<unknown> {
    return this[PENDING] ? JSON.parse(await this.text()) : super.json()
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this[PENDING] ? (new TextEncoder().encode(await this.text()).buffer as ArrayBuffer) : super.arrayBuffer()
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this[PENDING] ? new TextEncoder().encode(await this.text()) : super.bytes()
  }

  override async blob(): Promise<Blob> {
    return this[PENDING] ? new Blob([await this.text()], { type: this.headers.get('content-type') ?? '' }) : super.blob()
  }

  override async formData(): Promise<FormData> {
    return this[PENDING] ? realOf(this).formData() : super.formData()
  }

  override clone(): NextResponse<Body> {
    const pending = this[PENDING]
    if (!pending) return new NextResponse<Body>(super.clone().body, this)
    if (pending.real || pending.used) return new NextResponse<Body>(realOf(this).clone().body, this)
    const copy = Object.create(NextResponse.prototype) as NextResponse<Body>
    copy[PENDING] = { ...pending, headers: new Headers(this.headers), real: undefined }
    return copy
  }
}

/**
 * A response whose text and headers are at hand (a cached answer replayed): made like a
 * `NextResponse.json()` answer, so no undici `Response` or `Headers` is built unless something asks
 * for them, and a host writes `pairs` and the text directly (see {@link pendingHeaderPairs}).
 */
export function preparedResponse(text: string, status: number, pairs: readonly HeaderPair[]): NextResponse {
  const response = Object.create(NextResponse.prototype) as NextResponse
  response[PENDING] = { text, status, statusText: '', headers: undefined, pairs, real: undefined, used: false }
  return response
}

/** The header pairs of a {@link preparedResponse} nothing has touched, for a host to write as they are. */
export function pendingHeaderPairs(response: Response): readonly HeaderPair[] | undefined {
  const pending = (response as Partial<NextResponse>)[PENDING]
  return pending && pending.headers === undefined && pending.real === undefined && !pending.used ? pending.pairs : undefined
}

function headersOf(pairs: readonly HeaderPair[]): Headers {
  const headers = new Headers()
  for (const [name, value] of pairs) headers.append(name, value)
  return headers
}

/** The JSON text of a `NextResponse.json()` answer nothing has read yet, so a host can write it as is. */
export function pendingJsonText(response: Response): string | undefined {
  const pending = (response as Partial<NextResponse>)[PENDING]
  return pending && !pending.real && !pending.used ? pending.text : undefined
}

/**
 * True for a `NextResponse.json()` answer whose only header is its content type and that nobody
 * has touched: there is nothing in its headers to check or copy, so no Headers object is needed.
 */
export function hasOnlyJsonContentType(response: Response): boolean {
  const pending = (response as Partial<NextResponse>)[PENDING]
  return pending !== undefined && pending.headers === undefined && pending.pairs === undefined && pending.real === undefined && !pending.used
}

function withJsonType(headers: Headers): Headers {
  if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  return headers
}

function realOf(response: NextResponse): Response {
  const pending = response[PENDING]!
  pending.real ??= new Response(pending.used ? null : pending.text, {
    status: pending.status,
    statusText: pending.statusText,
    headers: response.headers,
  })
  return pending.real
}

function validateURL(url: string | URL): string {
  try {
    return String(new URL(String(url)))
  } catch (error) {
    throw new Error(
      `URL is malformed "${String(url)}". Please use only absolute URLs - https://nextjs.org/docs/messages/middleware-relative-urls`,
      { cause: error },
    )
  }
}
