import { RequestCookies, ResponseCookies, type RequestCookie, type ResponseCookie } from '@edge-runtime/cookies'
import type { ModifiedCookies, RequestStore } from '../context.ts'
import { routeHandlersError } from '../errors.ts'

type SetArguments = Parameters<ResponseCookies['set']>
type DeleteArguments = Parameters<ResponseCookies['delete']>

/**
 * `cookies()` inside a route handler, as Next.js builds it: reads see the request's cookies and
 * whatever the handler set since; `set()`/`delete()` are remembered and become `Set-Cookie` headers
 * on the response. Serialization is `@edge-runtime/cookies`', the code Next.js itself uses.
 */
export class RouteCookies implements ModifiedCookies {
  readonly #cookies = new ResponseCookies(new Headers())
  readonly #modified = new Set<string>()
  readonly #readonly: boolean

  /** `readonly`: inside `after()`, where the response has been sent, `set()`/`delete()` throw. */
  constructor(requestHeaders: Headers, readonly = false) {
    for (const cookie of new RequestCookies(requestHeaders).getAll()) this.#cookies.set(cookie)
    this.#readonly = readonly
  }

  get size(): number {
    return this.#cookies.getAll().length
  }

  get(...args: [name: string] | [RequestCookie]): ResponseCookie | undefined {
    return this.#cookies.get(...args)
  }

  getAll(...args: [name: string] | [RequestCookie] | []): ResponseCookie[] {
    return this.#cookies.getAll(...args)
  }

  has(name: string): boolean {
    return this.#cookies.has(name)
  }

  set(...args: SetArguments): this {
    if (this.#readonly) throw routeHandlersError('RH_ERR_AFTER_READONLY', ['cookies().set()'])
    this.#cookies.set(...args)
    this.#modified.add(typeof args[0] === 'string' ? args[0] : args[0].name)
    return this
  }

  delete(...args: DeleteArguments): this {
    if (this.#readonly) throw routeHandlersError('RH_ERR_AFTER_READONLY', ['cookies().delete()'])
    this.#cookies.delete(...args)
    this.#modified.add(typeof args[0] === 'string' ? args[0] : args[0].name)
    return this
  }

  toString(): string {
    return this.#cookies.toString()
  }

  [Symbol.iterator](): IterableIterator<[string, ResponseCookie]> {
    return this.#cookies.getAll().map((cookie): [string, ResponseCookie] => [cookie.name, cookie])[Symbol.iterator]()
  }

  /** The cookies to send: those set or deleted during this request, in their final state. */
  modified(): ResponseCookie[] {
    return [...this.#modified].flatMap((name) => this.#cookies.get(name) ?? [])
  }
}

/**
 * The request's cookie jar, made on first use. Another copy of this package may have made it first;
 * its class has the same shape. Inside `after()` it is the request's cookies, read-only, as in
 * Next.js.
 */
export function cookieJarOf(store: RequestStore): RouteCookies {
  return (store.cookies ??= new RouteCookies(store.request.headers, store.phase === 'after')) as RouteCookies
}
