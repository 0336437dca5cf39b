import { initNextRequest } from '../next/next-request.ts'
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './limits.ts'
import { initLazyRouteRequest, realOf, RouteRequest, type PendingRequest } from './route-request.ts'

interface RequestOptions {
  basePath: string
  limits: BodyLimits
  lazySignal: () => AbortSignal
  whenSent?: (callback: () => void) => void
}

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

function createLazyRouteRequest(pending: PendingRequest, options: RequestOptions): RouteRequest {
  const request = Object.create(lazyPrototype) as RouteRequest
  initNextRequest(request, options.basePath)
  initLazyRouteRequest(request, pending, options.limits, options.lazySignal, options.whenSent)
  return request
}

// Checked once: a fetch implementation that keeps its state where the forwarding above cannot
// reach (private fields) would break `new Request(request)`; requests are then built eagerly.
const lazyRequestsCopy = (() => {
  try {
    const probe = createLazyRouteRequest(
      { method: 'POST', url: 'http://localhost/probe', headers: () => new Headers({ 'x-probe': '1' }), body: null },
      { basePath: '', limits: DEFAULT_BODY_LIMITS, lazySignal: () => new AbortController().signal },
    )
    const copy = new Request(probe)
    return copy.url === 'http://localhost/probe' && copy.method === 'POST' && copy.headers.get('x-probe') === '1'
  } catch {
    return false
  }
})()

/**
 * The request a Node host hands to the core: made without building an undici Request (the host
 * gives method, URL, a headers factory and a body source; everything else is made when first asked
 * for), still `instanceof Request`, `NextRequest` and `RouteRequest`, and it survives
 * `new Request(request)`, `clone()` and `console.log()`. Built eagerly where that cannot hold.
 */
export function createRouteRequest(pending: PendingRequest, options: RequestOptions): RouteRequest {
  if (lazyRequestsCopy) return createLazyRouteRequest(pending, options)
  const body = pending.body?.stream() ?? null
  return new RouteRequest(pending.url, {
    method: pending.method,
    headers: pending.headers(),
    body,
    ...(body === null ? {} : { duplex: 'half' }),
    nextConfig: { basePath: options.basePath },
    limits: options.limits,
    lazySignal: options.lazySignal,
    whenSent: options.whenSent,
  } as RequestInit)
}
