// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/**
 * `next/headers` for route handlers. Both styles work: `cookies().get('a')` (Next 13/14) and
 * `(await cookies()).get('a')` (Next 15/16); likewise `headers()` and `draftMode()`.
 */
import { getRequestStore, useRequestStore } from '../context.ts'
import { awaitableFacade, type Awaitable } from './awaitable.ts'
import { DraftMode } from './draft-mode.ts'
import { ReadonlyHeaders } from './readonly-headers.ts'
import { cookieJarOf, RouteCookies } from './route-cookies.ts'
import { trackDynamicAccess } from '../cache/static-generation.ts'

export type { RouteCookies, ReadonlyHeaders, DraftMode }

// Handlers that can call cookies() and headers() run inside the request store from now on.
useRequestStore()

const COOKIE_MEMBERS = ['get', 'getAll', 'has', 'set', 'delete', 'size', 'toString', Symbol.iterator] as const
const DRAFT_MODE_MEMBERS = ['isEnabled', 'enable', 'disable'] as const
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
  // A GET generated for the cache with dynamic = 'force-static' sees no cookies and, as Next.js's
  // sealed empty cookies, cannot set any: a Set-Cookie stored in the shared entry would reach every
  // visitor (one user's session handed to the next).
  if (trackDynamicAccess(store, 'cookies()')) store.cookies ??= new RouteCookies(new Headers(), 'force-static')
  return awaitableFacade(cookieJarOf(store), COOKIE_MEMBERS)
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
  // A GET generated for the cache with dynamic = 'force-static' sees no headers, as in Next.js.
  const empty = trackDynamicAccess(store, 'headers()')
  store.headers ??= new ReadonlyHeaders(empty ? new Headers() : store.request.headers)
  return awaitableFacade(store.headers as ReadonlyHeaders, HEADER_MEMBERS)
}

/**
 * Draft mode (Next.js's `__prerender_bypass` cookie): `isEnabled` when the request carries it with
 * the preview mode id (the `previewModeId` option), `enable()` and `disable()` set or expire it on
 * the response. Inside `after()`, `enable()`/`disable()` throw `RH_ERR_AFTER_READONLY`.
 *
 * @example
 * export async function GET() {
 *   ;(await draftMode()).enable()
 *   return new Response('Draft mode is enabled')
 * }
 */
export function draftMode(): Awaitable<DraftMode> {
  const store = getRequestStore('draftMode()')
  return awaitableFacade((store.draftMode ??= new DraftMode(store)) as DraftMode, DRAFT_MODE_MEMBERS)
}
