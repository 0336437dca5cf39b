import { ResponseCookies } from '@edge-runtime/cookies'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

export interface MiddlewareResponseInit extends ResponseInit {
  request?: { headers?: Headers }
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
  #cookies: ResponseCookies | undefined
  // Keeps the JSON body's type for callers, as Next.js's class does.
  declare readonly __body?: Body

  /** The response's `Set-Cookie` headers as Next.js's ResponseCookies. */
  get cookies(): ResponseCookies {
    return (this.#cookies ??= new ResponseCookies(this.headers))
  }

  /** A JSON response with `content-type: application/json`. */
  static override json<JsonBody>(body: JsonBody, init?: ResponseInit): NextResponse<JsonBody> {
    const response = Response.json(body, init)
    return new NextResponse<JsonBody>(response.body, response)
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
