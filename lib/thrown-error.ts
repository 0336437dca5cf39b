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
 *   Express's default handler send its headers. It reaches the host as an Error with that error's
 *   prototype and own fields (class, message, stack, `response`), `status` and `statusCode` 500,
 *   no `headers`, `expose` false.
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

// Any of the fields a host reads an answer from, whatever its type (Fastify takes `'404'` too). A
// field whose getter throws counts: reading it here must not let the thrown value out instead.
function carriesHttpAnswer(error: Error): boolean {
  if (isRouteHandlersError(error)) return false
  try {
    const { status, statusCode, headers } = error as Error & Record<'status' | 'statusCode' | 'headers', unknown>
    return status !== undefined || statusCode !== undefined || headers !== undefined
  } catch {
    return true
  }
}

// A real Error (so `util.types.isNativeError`, `inspect` and logging treat it as one) with the
// original's prototype and own fields (message, stack, cause, `response`…), answering 500.
function asServerError(error: Error): Error {
  const wrapped = new Error()
  Object.setPrototypeOf(wrapped, Object.getPrototypeOf(error) as object | null)
  for (const key of Reflect.ownKeys(error)) {
    if (key === 'status' || key === 'statusCode' || key === 'headers' || key === 'expose') continue
    Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(error, key)!)
  }
  // On Node 24+ `stack` is an accessor that reads the receiver's own trace: copied, it would show
  // this function's. The original's, as text.
  Object.defineProperty(wrapped, 'stack', { value: error.stack, writable: true, configurable: true, enumerable: false })
  const own = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: true })
  Object.defineProperties(wrapped, { status: own(500), statusCode: own(500), headers: { ...own(undefined), enumerable: false }, expose: { ...own(false), enumerable: false } })
  return wrapped
}
