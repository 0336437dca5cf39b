import { types } from 'node:util'
import { routeHandlersError } from './errors.ts'
import { describeValue } from './handler-result.ts'
import type { LoadedRoute } from './loaded-route.ts'

/**
 * What a handler threw, as an `Error` a host can tell from "no error": Express's `next()` reads
 * `null`, `undefined`, `0`, `''` as success and `'route'`/`'router'` as routing instructions, so
 * `throw null` would hand the request to the next matching route (the legacy endpoint being
 * migrated). Anything that is not an Error becomes `RH_ERR_HANDLER_THREW` (500) with the value as
 * its `cause`; Errors, of any realm, pass unchanged.
 *
 * @example
 * thrownError(null, route, 'GET') // RouteHandlersError RH_ERR_HANDLER_THREW, cause: null
 */
export function thrownError(thrown: unknown, route: LoadedRoute, method: string): unknown {
  if (thrown instanceof Error || types.isNativeError(thrown)) return thrown
  return routeHandlersError('RH_ERR_HANDLER_THREW', [route.entry.relativeFile, method, describeValue(thrown)], { cause: thrown })
}
