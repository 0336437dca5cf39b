import { relative, resolve, sep } from 'node:path'
import { createRouteHandlers } from '../router.ts'
import { formatRouteTable, sortByPattern, type RouteRow } from '../route-table.ts'
import type { Output } from './output.ts'

export interface RoutesOptions {
  dir: string
  json: boolean
  tsconfig: string | undefined
  /** The mount path the folder is served under (`/api`), put before each pattern. */
  prefix?: string | undefined
}

/**
 * `route-handlers routes [dir]`: loads the route files as the app does (their methods are their
 * exports, known only once loaded) and prints pattern, methods and file, as a table or JSON. The
 * core's warnings (no route file, lookalike files and exports) go to stderr. A layout error throws
 * and a broken route file rejects (the caller prints either); nothing is listed then.
 */
export async function routesCommand(options: RoutesOptions, output: Output): Promise<number> {
  const dir = resolve(options.dir)
  // Load failures are reported all together by ready()'s rejection, file:line:column each.
  const logger = { warn: output.warn, error: () => {} }
  const routes = await createRouteHandlers({ dir, logger, tsconfig: options.tsconfig, reload: false }).ready()
  const mount = options.prefix === undefined || options.prefix === '/' ? '' : options.prefix.replace(/\/$/, '')
  const rows: RouteRow[] = routes.routes.map((route) => ({
    pattern: mount === '' ? route.pattern : route.pattern === '/' ? mount : `${mount}${route.pattern}`,
    methods: route.methods,
    file: relative(dir, route.file).split(sep).join('/'),
  }))
  output.info(options.json ? JSON.stringify(sortByPattern(rows), null, 2) : formatRouteTable(rows))
  return 0
}
