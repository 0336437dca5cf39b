import { initNextRequest } from '../next/next-request.ts'
import { REAL_REQUEST } from './copy-source.ts'
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './limits.ts'
import { installRequestCopies } from './request-copies.ts'
import { initLazyRouteRequest, realOf, RouteRequest, type PendingRequest } from './route-request.ts'

interface RequestOptions {
  basePath: string
  limits: BodyLimits
  lazySignal: () => AbortSignal
  whenSent?: (callback: () => void) => void
}

/**
 * The prototype of lazily made requests: `RouteRequest`'s, plus what copying needs. undici 6
 * (Node 20, 22) copies a request (`new Request(request)`, `fetch(request)`) by reading its internal
 * symbols: accessors forward those to the undici Request built on demand (the symbols are found on
 * a real Request at start-up rather than named, so nothing depends on undici's private names).
 * undici 7 (Node 24+) reads private fields instead, which no forwarding reaches: the copiers ask
 * the request for its real one ({@link REAL_REQUEST}: this package's NextRequest and fetch, and
 * the global `Request`, see request-copies.ts).
 */
const lazyPrototype: RouteRequest = Object.create(RouteRequest.prototype)
for (const symbol of Object.getOwnPropertySymbols(new Request('http://localhost/'))) {
  Object.defineProperty(lazyPrototype, symbol, {
    get(this: RouteRequest) {
      return (realOf(this) as unknown as Record<symbol, unknown>)[symbol]
    },
  })
}
Object.defineProperty(lazyPrototype, REAL_REQUEST, {
  value(this: RouteRequest) {
    return realOf(this)
  },
})

function createLazyRouteRequest(pending: PendingRequest, options: RequestOptions): RouteRequest {
  const request = Object.create(lazyPrototype) as RouteRequest
  initNextRequest(request, options.basePath)
  initLazyRouteRequest(request, pending, options.limits, options.lazySignal, options.whenSent)
  return request
}

// Checked once: where `new Request(request)` cannot copy a lazy request by itself (undici 7), the
// global Request learns to (request-copies.ts); where neither works, requests are built eagerly.
const lazyRequestsCopy = copiesLazyRequests() || (installRequestCopies(), copiesLazyRequests())

function copiesLazyRequests(): boolean {
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
}

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
