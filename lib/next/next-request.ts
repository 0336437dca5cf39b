import { RequestCookies } from '@edge-runtime/cookies'
import { NextURL } from './next-url.ts'

export interface NextRequestInit extends RequestInit {
  /** As in Next.js; only `basePath` is used here (the mount prefix). */
  nextConfig?: { basePath?: string }
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
  #cookies: RequestCookies | undefined
  #nextUrl: NextURL | undefined
  readonly #basePath: string | undefined

  constructor(input: URL | RequestInfo, init: NextRequestInit = {}) {
    const { nextConfig, ...requestInit } = init
    super(input instanceof Request ? input : String(input), requestInit)
    this.#basePath = nextConfig?.basePath
  }

  /** The `Cookie` header as Next.js's RequestCookies (`get`, `getAll`, `has`, `set`, `delete`, `clear`). */
  get cookies(): RequestCookies {
    return (this.#cookies ??= new RequestCookies(this.headers))
  }

  /** The URL with the mount prefix as `basePath`, `pathname` relative to it, and live `searchParams`. */
  get nextUrl(): NextURL {
    return (this.#nextUrl ??= new NextURL(this.url, { basePath: this.#basePath }))
  }
}
