import { initNextRequest } from '../next/next-request.ts'
import type { BodyLimits } from './limits.ts'
import { initLazyRouteRequest, realOf, RouteRequest, type PendingRequest } from './route-request.ts'

/**
 * The prototype of lazily made requests: `RouteRequest`'s, plus accessors for undici's own
 * internal symbols that forward to the undici Request built on demand. `new Request(request)`
 * reads those symbols, so it copies a lazy request like any other. The symbols are found on a real
 * Request at start-up rather than named, so nothing depends on undici's private names.
 */
const lazyPrototype: RouteRequest = Object.create(RouteRequest.prototype)
for (const symbol of Object.getOwnPropertySymbols(new Request('http://localhost/'))) {
  Object.defineProperty(lazyPrototype, symbol, {
    get(this: RouteRequest) {
      return (realOf(this) as unknown as Record<symbol, unknown>)[symbol]
    },
  })
}

/**
 * A `RouteRequest` made without building an undici Request: the host gives method, URL, a headers
 * factory and a body source; everything else is made when first asked for. Still `instanceof
 * Request`, `NextRequest` and `RouteRequest`, and survives `new Request(request)`, `clone()` and
 * `console.log()`.
 */
export function createLazyRouteRequest(
  pending: PendingRequest,
  options: { basePath: string; limits: BodyLimits; lazySignal: () => AbortSignal },
): RouteRequest {
  const request = Object.create(lazyPrototype) as RouteRequest
  initNextRequest(request, options.basePath)
  initLazyRouteRequest(request, pending, options.limits, options.lazySignal)
  return request
}
