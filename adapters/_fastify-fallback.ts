import type { FastifyInstance, FastifySchema, RouteHandlerMethod } from 'fastify'

const STRATEGY = 'routeHandlers'


/** Whether one plugin instance's fallback takes a request, by its method and raw URL. */
export type FallbackTakes = (method: string, url: string) => boolean

type Storage = ReturnType<Parameters<FastifyInstance['addConstraintStrategy']>[0]['storage']>
type StoredHandlers = Parameters<Storage['set']>[1]

// The plugin instances of each Fastify app (keyed by its server: every scope of one app shares
// it), read by the one constraint strategy that app's router has.
const fallbacksByApp = new WeakMap<object, FallbackTakes[]>()

/**
 * The requests a route file's own Fastify routes do not take, yet the route folder answers: a
 * method the file does not export (405 with `Allow`, the automatic `OPTIONS`, 400 for methods
 * outside Next's list), a file that failed to load (500), and with dev reload a file added or a
 * method gained since start-up. Each route file registers only its own methods; these go to one
 * `/` and one `/*` under the plugin's prefix, for every method Fastify routes, whatever the
 * number of route files.
 *
 * They sit under a route constraint so that they stay out of the app's way: the app may register
 * its own `/*` (`@fastify/static`) before or after the plugin, and a path no route file takes
 * reaches the app's routes and not-found handler as before. The constraint's value derived for a
 * request is the request itself, and the check (`takes`, a match in the core) runs in the
 * constraint's store, which find-my-way asks only when its walk reaches these two routes: the
 * app's other requests, and the route files' own, pay no match.
 */
export function registerFallback(fastify: FastifyInstance, handler: RouteHandlerMethod, takes: FallbackTakes): void {
  let fallbacks = fallbacksByApp.get(fastify.server)
  if (!fallbacks) {
    const list: FallbackTakes[] = (fallbacks = [])
    fallbacksByApp.set(fastify.server, list)
    fastify.addConstraintStrategy({
      name: STRATEGY,
      storage() {
        // find-my-way stores, per constraint value (a plugin instance's index), which of the
        // route's handlers carry it; the derived value it asks about is a request.
        const stored = new Map<unknown, StoredHandlers>()
        return {
          get(request) {
            const { method, url } = request as { method?: string; url?: string }
            for (const [index, handlers] of stored) if (list[index as number]!(method ?? 'GET', url ?? '/')) return handlers
            return null
          },
          set: (index, handlers) => void stored.set(index, handlers),
        }
      },
      deriveConstraint: (request: unknown) => request,
      mustMatchWhenDerived: false,
    })
  }
  fallbacks.push(takes)
  const constraints = { [STRATEGY]: fallbacks.length - 1 }
  // Kept out of API documentation (@fastify/swagger's `schema.hide`, a key Fastify itself
  // ignores): they are no endpoints of their own, and listed they would show `/` and `/{*}` with
  // every method. An object each: `onRoute` hooks may change what they are given.
  for (const url of ['/', '/*']) fastify.route({ method: fastify.supportedMethods, url, handler, constraints, schema: { hide: true } as FastifySchema })
}
