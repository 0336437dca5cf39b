/**
 * `next/headers` for route handlers. Both styles work: `cookies().get('a')` (Next 13/14) and
 * `(await cookies()).get('a')` (Next 15/16); likewise `headers()`.
 */
import { getRequestStore, useRequestStore } from '../context.ts'
import { awaitableFacade, type Awaitable } from './awaitable.ts'
import { ReadonlyHeaders } from './readonly-headers.ts'
import { RouteCookies } from './route-cookies.ts'

export type { RouteCookies, ReadonlyHeaders }

// Handlers that can call cookies() and headers() run inside the request store from now on.
useRequestStore()

const COOKIE_MEMBERS = ['get', 'getAll', 'has', 'set', 'delete', 'size', 'toString', Symbol.iterator] as const
const HEADER_MEMBERS = [
  'get', 'has', 'getSetCookie', 'entries', 'keys', 'values', 'forEach', 'append', 'set', 'delete', Symbol.iterator,
] as const

/**
 * The request's cookies. `set()` and `delete()` add `Set-Cookie` headers to the response
 * (`Path=/` unless given; a cookie of the same name on the returned Response wins); inside an
 * `after()` callback they throw `RH_ERR_AFTER_READONLY`.
 *
 * @example
 * export async function GET() {
 *   const theme = (await cookies()).get('theme')?.value ?? 'light'
 *   return Response.json({ theme })
 * }
 */
export function cookies(): Awaitable<RouteCookies> {
  const store = getRequestStore('cookies()')
  // Another copy of this package may have made the store's cookies first; its class has our shape.
  // Inside after() the jar is the request's cookies, read-only, as in Next.js.
  store.cookies ??= new RouteCookies(store.request.headers, store.phase === 'after')
  return awaitableFacade(store.cookies as RouteCookies, COOKIE_MEMBERS)
}

/**
 * The request's headers, read-only (changing them throws `RH_ERR_HEADERS_READONLY`).
 *
 * @example
 * export async function GET() {
 *   return new Response(`UA: ${(await headers()).get('user-agent')}`)
 * }
 */
export function headers(): Awaitable<ReadonlyHeaders> {
  const store = getRequestStore('headers()')
  store.headers ??= new ReadonlyHeaders(store.request.headers)
  return awaitableFacade(store.headers as ReadonlyHeaders, HEADER_MEMBERS)
}
