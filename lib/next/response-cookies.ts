import { ResponseCookies, stringifyCookie, type ResponseCookie } from '@edge-runtime/cookies'
import { cookieToDelete, cookieToSet, replaceSetCookies, type DeleteCookieArguments, type SetCookieArguments } from './cookie-semantics.ts'

/**
 * `NextResponse.cookies`: Next.js's `ResponseCookies` (same methods, results and Set-Cookie
 * headers), without its cost. ResponseCookies rewrites every Set-Cookie header on each `set()`, so
 * 10,000 cookies took 20 s; here a new name is appended while the headers are as this jar left
 * them, and only setting a name again (or headers changed behind its back) rewrites them all.
 */
export class ResponseCookieJar {
  readonly #headers: Headers
  // By name, in Set-Cookie order.
  readonly #cookies = new Map<string, ResponseCookie>()
  // The Set-Cookie value right after this jar last wrote the headers (undefined: never). Headers
  // return the very string they hold, so comparing with it costs nothing while nobody else wrote.
  #written: string | null | undefined

  constructor(headers: Headers) {
    this.#headers = headers
    // Parsing is linear; ResponseCookies' own parse keeps its handling of odd headers.
    for (const cookie of new ResponseCookies(headers).getAll()) this.#cookies.set(cookie.name, cookie)
  }

  get(...args: [key: string] | [options: ResponseCookie]): ResponseCookie | undefined {
    return this.#cookies.get(typeof args[0] === 'string' ? args[0] : args[0].name)
  }

  getAll(...args: [key: string] | [options: ResponseCookie] | []): ResponseCookie[] {
    if (args.length === 0) return [...this.#cookies.values()]
    const cookie = this.get(...args)
    return cookie ? [cookie] : []
  }

  has(name: string): boolean {
    return this.#cookies.has(name)
  }

  set(...args: SetCookieArguments): this {
    this.#store(...cookieToSet(args))
    return this
  }

  delete(...args: DeleteCookieArguments): this {
    this.#store(...cookieToDelete(args))
    return this
  }

  toString(): string {
    return [...this.#cookies.values()].map(stringifyCookie).join('; ')
  }

  #store(name: string, cookie: ResponseCookie): void {
    const appendable = !this.#cookies.has(name) && this.#written !== undefined && this.#headers.get('set-cookie') === this.#written
    this.#cookies.set(name, cookie)
    if (appendable) this.#headers.append('set-cookie', stringifyCookie(cookie))
    else replaceSetCookies(this.#headers, this.#cookies.values())
    this.#written = this.#headers.get('set-cookie')
  }
}
