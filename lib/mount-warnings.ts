import { join, relative } from 'node:path'
import type { RouteInfo } from './types.ts'

/**
 * The warning for a route folder mounted under a prefix its own folders repeat: a Next.js app keeps
 * its route handlers in `app/api/`, and `app` mounted at `/api` answers `/api/api/items`, while
 * `/api/items` falls through to the host's not-found answer with nothing said. `undefined` when a
 * route file's URL does not start with the mount path (the mount is then what the app chose), or
 * there is no route file. `mount` says how it was mounted (`mounted at`, `registered with prefix`).
 *
 * @example
 * repeatedMountWarning('/api', routes.routes, '/srv/app', 'mounted at') // 'route-handlers: mounted at /api, and every route file …'
 */
export function repeatedMountWarning(mountPath: string, routes: readonly RouteInfo[], dir: string, mount: string): string | undefined {
  if (mountPath === '' || routes.length === 0) return undefined
  const repeated = `${mountPath}/`
  if (!routes.every((route) => route.pattern.startsWith(repeated))) return undefined
  const folder = relative(process.cwd(), join(dir, mountPath)) || '.'
  return (
    `route-handlers: ${mount} ${mountPath}, and every route file's URL starts with ${mountPath} too (its folder is in the route folder): ` +
    `${routes[0]!.pattern} answers ${mountPath}${routes[0]!.pattern}, and ${routes[0]!.pattern} itself is not found. ` +
    `Mount the folder at the root, or give the folder inside as dir ('./${folder}').`
  )
}
