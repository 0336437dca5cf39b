import { parseCookie, stringifyCookie, type RequestCookie } from '@edge-runtime/cookies'

/**
 * `NextRequest.cookies`: Next.js's `RequestCookies` (same methods, results and `Cookie` header),
 * without its cost. RequestCookies rewrites the whole `Cookie` header on each `set()`, so 10,000
 * cookies took a minute; here a new name is appended while the header is as this jar left it (the
 * Fetch Headers of Node join `Cookie` values with `; `), and only setting a name again, deleting,
 * or a header changed behind its back rewrites it.
 */
export class RequestCookieJar {
  readonly #headers: Headers
  readonly #cookies = new Map<string, RequestCookie>()
  // The Cookie header right after this jar last wrote it (undefined: never); see ResponseCookieJar.
  #written: string | null | undefined

  constructor(headers: Headers) {
    this.#headers = headers
    const header = headers.get('cookie')
    // Undecodable values are skipped, as RequestCookies does.
    if (header) for (const [name, value] of parseCookie(header)) this.#cookies.set(name, { name, value })
  }

  [Symbol.iterator](): MapIterator<[string, RequestCookie]> {
    return this.#cookies.entries()
  }

  /** The number of cookies. */
  get size(): number {
    return this.#cookies.size
  }

  get(...args: [name: string] | [RequestCookie]): RequestCookie | undefined {
    return this.#cookies.get(typeof args[0] === 'string' ? args[0] : args[0].name)
  }

  getAll(...args: [name: string] | [RequestCookie] | []): RequestCookie[] {
    if (args.length === 0) return [...this.#cookies.values()]
    const cookie = this.get(...args)
    return cookie ? [cookie] : []
  }

  has(name: string): boolean {
    return this.#cookies.has(name)
  }

  set(...args: [key: string, value: string] | [options: RequestCookie]): this {
    const [name, value] = args.length === 1 ? [args[0].name, args[0].value] : args
    // An empty jar may have left an empty header, which appending would turn into `; name=value`.
    const appendable =
      this.#cookies.size > 0 && !this.#cookies.has(name) && this.#written !== undefined && this.#headers.get('cookie') === this.#written
    this.#cookies.set(name, { name, value })
    if (appendable) {
      this.#headers.append('cookie', stringifyCookie({ name, value }))
      this.#written = this.#headers.get('cookie')
    } else {
      this.#rewrite()
    }
    return this
  }

  /** Deletes the cookie or cookies named; true for each that existed. */
  delete(names: string | string[]): boolean | boolean[] {
    const result = Array.isArray(names) ? names.map((name) => this.#cookies.delete(name)) : this.#cookies.delete(names)
    this.#rewrite()
    return result
  }

  /** Deletes every cookie. */
  clear(): this {
    this.delete([...this.#cookies.keys()])
    return this
  }

  toString(): string {
    return [...this.#cookies.values()].map((cookie) => `${cookie.name}=${encodeURIComponent(cookie.value)}`).join('; ')
  }

  #rewrite(): void {
    this.#headers.set('cookie', [...this.#cookies.values()].map(stringifyCookie).join('; '))
    this.#written = this.#headers.get('cookie')
  }
}
