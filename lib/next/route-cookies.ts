import { parseCookie, stringifyCookie, type RequestCookie, type ResponseCookie } from '@edge-runtime/cookies'
import type { ModifiedCookies, RequestStore } from '../context.ts'
import { routeHandlersError } from '../errors.ts'
import { cookieToDelete, cookieToSet, type DeleteCookieArguments, type SetCookieArguments } from './cookie-semantics.ts'

/** Why a jar refuses `set()`/`delete()`: inside `after()`, or in a `force-static` GET generated for the cache. */
export type SealedBy = 'after' | 'force-static'

/**
 * `cookies()` inside a route handler, as Next.js builds it: reads see the request's cookies and
 * whatever the handler set since; `set()`/`delete()` are remembered and become `Set-Cookie` headers
 * on the response. Semantics and serialization are `@edge-runtime/cookies`' `ResponseCookies`, the
 * code Next.js itself uses (it copies each request cookie into one), kept in a plain map: each call
 * costs the same whatever the number of cookies (issue 10 #2).
 */
export class RouteCookies implements ModifiedCookies {
  // By name, in the order Next's ResponseCookies keeps: the request's, then new names as set.
  readonly #cookies = new Map<string, ResponseCookie>()
  readonly #modified = new Set<string>()
  readonly #sealed: SealedBy | undefined

  /**
   * `sealed`: `set()`/`delete()` throw — inside `after()` (the response has been sent) and in a GET
   * generated for the cache with `force-static` (its cookies would go to every visitor).
   */
  constructor(requestHeaders: Headers, sealed?: SealedBy) {
    const header = requestHeaders.get('cookie')
    // RequestCookies' parse (undecodable values skipped), then ResponseCookies' defaults (`Path=/`).
    if (header) for (const [name, value] of parseCookie(header)) this.#cookies.set(name, { name, value, path: '/' })
    this.#sealed = sealed
  }

  get size(): number {
    return this.#cookies.size
  }

  get(...args: [name: string] | [RequestCookie]): ResponseCookie | undefined {
    return this.#cookies.get(typeof args[0] === 'string' ? args[0] : args[0].name)
  }

  getAll(...args: [name: string] | [RequestCookie] | []): ResponseCookie[] {
    if (args.length === 0) return [...this.#cookies.values()]
    const cookie = this.#cookies.get(typeof args[0] === 'string' ? args[0] : args[0].name)
    return cookie ? [cookie] : []
  }

  has(name: string): boolean {
    return this.#cookies.has(name)
  }

  set(...args: SetCookieArguments): this {
    if (this.#sealed) throw sealedError(this.#sealed, 'cookies().set()')
    const [name, cookie] = cookieToSet(args)
    this.#cookies.set(name, cookie)
    this.#modified.add(name)
    return this
  }

  delete(...args: DeleteCookieArguments): this {
    if (this.#sealed) throw sealedError(this.#sealed, 'cookies().delete()')
    const [name, cookie] = cookieToDelete(args)
    this.#cookies.set(name, cookie)
    this.#modified.add(name)
    return this
  }

  toString(): string {
    return [...this.#cookies.values()].map(stringifyCookie).join('; ')
  }

  [Symbol.iterator](): IterableIterator<[string, ResponseCookie]> {
    return this.#cookies.entries()
  }

  /**
   * The cookies to send: those set or deleted during this request, in their final state and in the
   * jar's order (the request's cookies first), as Next.js lists them.
   */
  modified(): ResponseCookie[] {
    if (this.#modified.size === 0) return []
    const modified: ResponseCookie[] = []
    for (const [name, cookie] of this.#cookies) if (this.#modified.has(name)) modified.push(cookie)
    return modified
  }
}

/**
 * The request's cookie jar, made on first use. Another copy of this package may have made it first;
 * its class has the same shape. Inside `after()` it is the request's cookies, read-only, as in
 * Next.js.
 */
export function cookieJarOf(store: RequestStore): RouteCookies {
  return (store.cookies ??= new RouteCookies(store.request.headers, store.phase === 'after' ? 'after' : undefined)) as RouteCookies
}

function sealedError(sealed: SealedBy, call: string) {
  return sealed === 'after' ? routeHandlersError('RH_ERR_AFTER_READONLY', [call]) : routeHandlersError('RH_ERR_COOKIES_STATIC', [call])
}
