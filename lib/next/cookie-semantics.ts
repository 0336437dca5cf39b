import { stringifyCookie, type ResponseCookie } from '@edge-runtime/cookies'

/** What `ResponseCookies.set()` takes: a name, value and options, or one cookie object. */
export type SetCookieArguments = [key: string, value: string, cookie?: Partial<ResponseCookie>] | [options: ResponseCookie]

/** What `ResponseCookies.delete()` takes: a name, or a cookie's name and attributes. */
export type DeleteCookieArguments = [key: string] | [options: Omit<ResponseCookie, 'value' | 'expires'>]

/*
 * `@edge-runtime/cookies` (the code Next.js uses) keeps these steps inside `ResponseCookies.set()`
 * and `delete()`, whose every call rewrites all Set-Cookie headers: quadratic in the cookie count.
 * Our cookie jars keep its semantics step for step (a test compares them with ResponseCookies on a
 * table of cookies) and write headers once, or append.
 */

/** The cookie `ResponseCookies.set(...args)` stores, under its name: defaults filled in. */
export function cookieToSet(args: SetCookieArguments): [name: string, cookie: ResponseCookie] {
  // The common `set(name, value)`: what the steps below make of it, without the copies.
  if (args.length !== 1 && args[2] === undefined) return [args[0], { name: args[0], value: args[1], path: '/' }]
  const [name, value, options] = args.length === 1 ? [args[0].name, args[0].value, args[0]] : args
  return [name, normalizeCookie({ name, value, ...options })]
}

/** The cookie `ResponseCookies.delete(...args)` stores: empty, expired in 1970. */
export function cookieToDelete(args: DeleteCookieArguments): [name: string, cookie: ResponseCookie] {
  const [name, options] = typeof args[0] === 'string' ? [args[0]] : [args[0].name, args[0]]
  return cookieToSet([{ ...options, name, value: '', expires: new Date(0) }])
}

/** `Path=/` unless given; `expires` as a Date; a `maxAge` sets `expires` from now. */
function normalizeCookie(cookie: ResponseCookie): ResponseCookie {
  if (typeof cookie.expires === 'number') cookie.expires = new Date(cookie.expires)
  if (cookie.maxAge) cookie.expires = new Date(Date.now() + cookie.maxAge * 1000)
  if (cookie.path === null || cookie.path === undefined) cookie.path = '/'
  return cookie
}

/** Replaces every Set-Cookie header of `headers` with `cookies`, one per cookie, in order. */
export function replaceSetCookies(headers: Headers, cookies: Iterable<ResponseCookie>): void {
  headers.delete('set-cookie')
  for (const cookie of cookies) headers.append('set-cookie', stringifyCookie(cookie))
}
