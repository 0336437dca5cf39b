import { types } from 'node:util'
import { isRouteHandlersError, routeHandlersError } from './errors.ts'
import { describeValue } from './handler-result.ts'
import type { LoadedRoute } from './loaded-route.ts'

/**
 * What a handler threw, as an `Error` its host answers `500` for, as Next.js answers any uncaught
 * handler error:
 * - Express's `next()` reads `null`, `undefined`, `0`, `''` as success and `'route'`/`'router'` as
 *   routing instructions, so `throw null` would hand the request to the next matching route (the
 *   legacy endpoint being migrated). Anything that is not an Error becomes `RH_ERR_HANDLER_THREW`
 *   (500) with the value as its `cause`.
 * - An Error carrying an HTTP answer of its own (`status`/`statusCode`, `headers`: an upstream
 *   client's error rethrown, axios's with `status: 404`) would have the host answer with it, and
 *   Express's default handler send its headers. It reaches the host as an object whose prototype
 *   is that error, so its class, message, stack and fields read through, with `status` and
 *   `statusCode` 500 and no `headers` of its own.
 * - Other Errors, of any realm, and this package's own (a `400` for a malformed body the handler
 *   read) pass unchanged.
 *
 * @example
 * thrownError(null, route, 'GET') // RouteHandlersError RH_ERR_HANDLER_THREW, cause: null
 */
export function thrownError(thrown: unknown, route: LoadedRoute, method: string): unknown {
  if (thrown instanceof Error || types.isNativeError(thrown)) return carriesHttpAnswer(thrown) ? asServerError(thrown) : thrown
  return routeHandlersError('RH_ERR_HANDLER_THREW', [route.entry.relativeFile, method, describeValue(thrown)], { cause: thrown })
}

function carriesHttpAnswer(error: Error): boolean {
  if (isRouteHandlersError(error)) return false
  const { status, statusCode, headers } = error as Error & Record<'status' | 'statusCode' | 'headers', unknown>
  return typeof status === 'number' || typeof statusCode === 'number' || (typeof headers === 'object' && headers !== null)
}

function asServerError(error: Error): Error {
  const fixed = { value: 500, writable: true, configurable: true, enumerable: true }
  return Object.create(error, { status: fixed, statusCode: fixed, headers: { value: undefined, writable: true, configurable: true, enumerable: false } }) as Error
}
