import { join, relative } from 'node:path'
import type { RouteInfo } from './types.ts'

/**
 * The warning for a route folder mounted under a prefix its own folders repeat: a Next.js app keeps
 * its route handlers in `app/api/`, and `app` mounted at `/api` answers `/api/api/items`, while
 * `/api/items` falls through to the host's not-found answer with nothing said. Said when most route
 * files' URLs start with the mount path: a whole `app/` has a few route files outside `api/` too
 * (trial: an OG image route, a redirect catch-all). `undefined` when half of them or fewer do (the
 * mount is then what the app chose), or there is no route file. `mount` says how it was mounted
 * (`mounted at`, `registered with prefix`).
 *
 * @example
 * repeatedMountWarning('/api', routes.routes, '/srv/app', 'mounted at') // 'route-handlers: mounted at /api, and every route file …'
 */
export function repeatedMountWarning(mountPath: string, routes: readonly RouteInfo[], dir: string, mount: string): string | undefined {
  if (mountPath === '' || routes.length === 0) return undefined
  const repeated = `${mountPath}/`
  const repeating = routes.filter((route) => route.pattern.startsWith(repeated))
  if (repeating.length * 2 <= routes.length) return undefined
  const example = repeating[0]!.pattern
  const consequence = `${example} answers ${mountPath}${example}, and ${example} itself is not found.`
  if (repeating.length < routes.length) {
    return (
      `route-handlers: ${mount} ${mountPath}, and ${repeating.length} of the ${routes.length} route files' URLs start with ${mountPath} too (their folder is in the route folder): ` +
      `${consequence} Mount the folder at the root, where every route file answers its Next.js URL.`
    )
  }
  const folder = relative(process.cwd(), join(dir, mountPath)) || '.'
  return (
    `route-handlers: ${mount} ${mountPath}, and every route file's URL starts with ${mountPath} too (its folder is in the route folder): ` +
    `${consequence} Mount the folder at the root, or give the folder inside as dir ('./${folder}').`
  )
}
