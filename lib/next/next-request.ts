import type { RequestCookies } from '@edge-runtime/cookies'
import { copySource } from '../body/copy-source.ts'
import { requestNextUrl, type NextURL } from './next-url.ts'
import { RequestCookieJar } from './request-cookies.ts'

export interface NextRequestInit extends RequestInit {
  /** As in Next.js; only `basePath` is used here (the mount prefix). */
  nextConfig?: { basePath?: string }
}

// Symbol-keyed, not `#private`: hosts make requests without running the constructor (see
// body/lazy-request.ts), and those instances have no private fields.
const NEXT = Symbol('next-request')

/** The URL `nextUrl` is made from: `url`, unless a subclass has one that costs less (RouteRequest). */
export const NEXT_URL_SOURCE = Symbol('next-url-source')

interface NextRequestState {
  basePath: string | undefined
  cookies?: RequestCookies
  nextUrl?: NextURL
}

/**
 * The request a route handler receives: a real `Request` with Next.js's `cookies` and `nextUrl`.
 *
 * @example
 * export function GET(request: NextRequest) {
 *   return Response.json({ q: request.nextUrl.searchParams.get('q'), token: request.cookies.get('token')?.value })
 * }
 */
export class NextRequest extends Request {
  declare [NEXT]: NextRequestState

  constructor(input: URL | RequestInfo, init: NextRequestInit = {}) {
    // `init` goes to undici as it is, as Next.js passes it: a request given as init (next-auth's
    // `new NextRequest(url, req)`) has its method, headers and body as getters, which a copy of
    // its own properties would drop; undici ignores `nextConfig`.
    super(input instanceof Request ? copySource(input) : String(input), init)
    this[NEXT] = { basePath: init.nextConfig?.basePath }
  }

  /** The `Cookie` header as Next.js's RequestCookies (`get`, `getAll`, `has`, `set`, `delete`, `clear`). */
  get cookies(): RequestCookies {
    const state = this[NEXT]
    return (state.cookies ??= new RequestCookieJar(this.headers))
  }

  /** The URL with the mount prefix as `basePath`, `pathname` relative to it, and live `searchParams`. */
  get nextUrl(): NextURL {
    const state = this[NEXT]
    return (state.nextUrl ??= requestNextUrl(this[NEXT_URL_SOURCE](), state.basePath))
  }

  [NEXT_URL_SOURCE](): string {
    return this.url
  }
}

/** Gives a request made without the constructor its Next.js state. */
export function initNextRequest(request: NextRequest, basePath: string): void {
  request[NEXT] = { basePath }
}

/** The mount prefix `request` was made with (what its `nextUrl.basePath` may be), for copies of it. */
export function nextRequestBasePath(request: NextRequest): string | undefined {
  return request[NEXT].basePath
}
