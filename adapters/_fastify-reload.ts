import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import type { RouteHandlers } from '../lib/router.ts'

const STRATEGY = 'routeHandlersReload'

/** A plugin instance with dev reload: whether a raw request URL is one of its route files now. */
type Mount = (url: string) => boolean
type StoredHandler = NonNullable<ReturnType<ReturnType<Parameters<FastifyInstance['addConstraintStrategy']>[0]['storage']>['get']>>

// The mounts of each Fastify app (keyed by its server: every scope of one app shares it), read by
// the one constraint strategy that app's router has.
const mountsByApp = new WeakMap<object, Mount[]>()

/**
 * Dev reload under Fastify. Route files become Fastify routes at start-up, and Fastify takes no
 * new routes once it listens; so that route files added later are served, the plugin also
 * registers `/` and `/*` under its prefix, under a route constraint that holds only for a request
 * whose path a route file matches now. The constraint keeps them out of the app's way: the app
 * may register its own `/*` (`@fastify/static`) before or after the plugin without a conflict, a
 * path no route file matches reaches the app's own routes and not-found handler as before, and
 * find-my-way still tries static and parametric routes before any wildcard.
 */
export function routeAddedFiles(fastify: FastifyInstance, handler: RouteHandlerMethod, routes: RouteHandlers): void {
  let mounts = mountsByApp.get(fastify.server)
  if (!mounts) {
    const list: Mount[] = (mounts = [])
    mountsByApp.set(fastify.server, list)
    fastify.addConstraintStrategy({
      name: STRATEGY,
      storage() {
        const handlers = new Map<unknown, StoredHandler>()
        return { get: (value) => handlers.get(value) ?? null, set: (value, stored) => void handlers.set(value, stored) }
      },
      // Derived for every request of the app, in development only: one match per mount.
      deriveConstraint(request: { url?: string }) {
        const index = list.findIndex((serves) => serves(request.url ?? '/'))
        return index === -1 ? undefined : String(index)
      },
      mustMatchWhenDerived: false,
    })
  }
  const prefix = fastify.prefix
  mounts.push((url) => {
    const end = url.search(/[?#]/)
    const path = end === -1 ? url : url.slice(0, end)
    if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) return false
    // A match with an error (a param over maxParamLength) is left to Fastify's own route and answer.
    const match = routes.match(path.slice(prefix.length) || '/')
    return match !== null && match.error === undefined
  })
  const constraints = { [STRATEGY]: String(mounts.length - 1) }
  for (const url of ['/', '/*']) fastify.route({ method: fastify.supportedMethods, url, handler, constraints })
}
