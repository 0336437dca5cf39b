import type { FastifyInstance, HTTPMethods, RouteHandlerMethod, RouteOptions } from 'fastify'
import { routeHandlersError } from '../lib/errors.ts'
import type { RouteInfo } from '../lib/types.ts'
import { fastifyPaths } from './_fastify-paths.ts'
import { ignoresTrailingSlash } from './_fastify-router-options.ts'

/**
 * Registers each route file as Fastify routes for the methods it exports, plus `HEAD` when it
 * exports `GET` (the core answers it, dropping the body), as an app's own routes would be: so
 * `printRoutes()`, `hasRoute()` and `onRoute` hooks see the file's real methods, and the router
 * holds one entry per method and URL. The other methods are the fallback's (see
 * `_fastify-fallback.ts`). A route file that failed to load has no known methods and registers
 * nothing: the fallback answers it (500). Each file is registered under its own URL only: `/x/`
 * is folded onto `/x` by the app's router (`ignoreTrailingSlash`) or redirected there by the
 * plugin, whichever route Fastify gave it to, so a request runs the file's handler only under the file's own route and its hooks.
 *
 * Returns the methods registered for each file, which the fallback leaves to them.
 */
export function registerRouteFiles(
  fastify: FastifyInstance,
  routes: readonly RouteInfo[],
  handlerFor: (route: RouteInfo, wrapping: HandlerWrapping) => RouteHandlerMethod,
): Map<RouteInfo, readonly string[]> {
  const registered = new Map<RouteInfo, readonly string[]>()
  // HEAD as a route of its own, as Fastify adds its own HEAD to a GET route, where the app documents
  // its API with @fastify/swagger, which leaves HEAD routes out (a HEAD among a route's methods it
  // lists as an operation). Elsewhere in the file's one route: each `route()` call is a Fastify
  // route context, about 7.6 KB and some start-up time (38 MB and 12 % at 5,000 files).
  const separateHead = fastify.hasPlugin('@fastify/swagger')
  for (const route of routes) {
    const method = fastifyMethods(route)
    registered.set(route, method)
    if (method.length === 0) continue
    const wrapping: HandlerWrapping = { handler: undefined, wrapped: false }
    const handler = (wrapping.handler = handlerFor(route, wrapping))
    const marked = { [HANDLER_WRAPPING]: wrapping }
    for (const url of fastifyPaths(route.pattern)) {
      // Looked up first: Fastify's own error names every method of the call, not the one taken.
      const taken = method.filter((name) => fastify.hasRoute({ method: name, url: fastify.prefix + url }))
      try {
        // HEAD last, after the others (`printRoutes()` lists it last, as for an app's GET route).
        const others = separateHead ? method.filter((name) => name !== 'HEAD') : method
        if (others.length > 0) fastify.route({ method: [...others], url, handler, exposeHeadRoute: false, ...marked })
        if (separateHead && method.includes('HEAD')) registerHead(fastify, url, { method: 'HEAD', url, handler, ...marked })
      } catch (error) {
        const duplicate = (error as { code?: string }).code === 'FST_ERR_DUPLICATED_ROUTE'
        const message = duplicate ? `the app already has ${takenRoutes(taken)} for that URL` : String((error as Error).message ?? error)
        throw routeHandlersError('RH_ERR_HOST_ROUTE_CONFLICT', [route.file, fastify.prefix + url, message], { cause: error })
      }
    }
  }
  return registered
}

/**
 * Registers a file's `HEAD` route. Fastify gives a route at a prefix's root (`url: '/'` under
 * `/api`) both `/api` and `/api/` for every method but `HEAD` (its own HEAD routes follow their
 * GET's), which it registers under `/api/` alone: `HEAD /api` would find no route. Registered here
 * as Fastify registers the others (route.js, `prefixTrailingSlash: 'both'`): `''`, and `/` where
 * its router does not fold that onto `''`.
 */
function registerHead(fastify: FastifyInstance, url: string, options: RouteOptions): void {
  // A prefix given with its slash (`/api/`) has its HEAD `/` registered at `/api/`, as its GET.
  if (url !== '/' || fastify.prefix === '' || fastify.prefix.endsWith('/')) return void fastify.route(options)
  fastify.route({ ...options, url: '' })
  if (!ignoresTrailingSlash(fastify)) fastify.route(options)
}

/**
 * Whether the app wrapped a route file's handler: an `onRoute` hook (@fastify/otel's, timing each
 * handler in a span) that replaced `handler` with its own. Given to `onRoute` hooks under
 * {@link HANDLER_WRAPPING} in the route options, so the plugin's own hook, the last to run, can tell.
 */
export interface HandlerWrapping {
  handler: RouteHandlerMethod | undefined
  wrapped: boolean
}

export const HANDLER_WRAPPING = Symbol('route-handlers.handler-wrapping')

// `HEAD` is registered by the plugin, so Fastify adds none of its own (which would send GET's whole
// body through an onSend hook): the core cancels the body stream of an automatic HEAD at once.
function fastifyMethods(route: RouteInfo): HTTPMethods[] {
  const methods: HTTPMethods[] = [...route.methods]
  if (route.methods.includes('GET') && !route.methods.includes('HEAD')) methods.push('HEAD')
  return methods
}

// `a GET route`, `GET and POST routes`; `a route` when the lookup missed it (a prefix's root).
function takenRoutes(methods: readonly string[]): string {
  if (methods.length === 0) return 'a route'
  if (methods.length === 1) return `a ${methods[0]} route`
  return `${methods.slice(0, -1).join(', ')} and ${methods.at(-1)} routes`
}
