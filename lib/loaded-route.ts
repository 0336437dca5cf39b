import type { Logger, HttpMethod, RouteHandler } from './types.ts'
import { HTTP_METHODS } from './types.ts'
import type { RouteEntry } from './route-tree.ts'
import { routeMaxDuration } from './route-config.ts'
import { readSegmentConfig, type SegmentConfig } from './cache/segment-config.ts'

/** A route file ready to serve: its handlers, with Next.js's automatic HEAD. */
export interface LoadedRoute {
  readonly entry: RouteEntry
  readonly handlers: Partial<Record<HttpMethod, RouteHandler>>
  /** True when HEAD runs GET (the file exports no HEAD): the body must be dropped. */
  readonly headFromGet: boolean
  /** The `Allow` header for automatic OPTIONS and for 405: sorted, OPTIONS always included. */
  readonly allow: string
  /** The file's `maxDuration` export in milliseconds, when it has one (`Infinity`: longer than any timer, no limit). */
  readonly maxDuration: number | undefined
  /** Its caching segment config (`dynamic`, `revalidate`, `fetchCache`, …). */
  readonly config: SegmentConfig
}

/**
 * Reads a route module's exports: the uppercase method functions are handlers, `maxDuration` their
 * time budget (an invalid one throws `RH_ERR_ROUTE_CONFIG_INVALID`, so the file fails to load as it
 * fails `next build`). It warns once about exports that look like handlers but are not (`get`,
 * `default`): in development, and in any mode when the file has no handler at all.
 */
export function toLoadedRoute(entry: RouteEntry, exports: Record<string, unknown>, logger: Logger): LoadedRoute {
  const maxDuration = routeMaxDuration(entry, exports)
  const config = readSegmentConfig(entry, exports)
  const handlers = new (MethodHandlers as unknown as new () => Partial<Record<HttpMethod, RouteHandler>>)()
  for (const method of HTTP_METHODS) {
    const handler = exports[method]
    if (typeof handler === 'function') handlers[method] = handler as RouteHandler
  }
  entry.methods = HTTP_METHODS.filter((method) => handlers[method] !== undefined)
  // A file with no handler at all is a mistake in any mode (a Pages Router API route copied over).
  if (process.env.NODE_ENV === 'development' || entry.methods.length === 0) warnAboutLookalikes(entry, exports, logger)
  const headFromGet = handlers.HEAD === undefined && handlers.GET !== undefined
  if (headFromGet) handlers.HEAD = handlers.GET
  const allowed = new Set<string>([...Object.keys(handlers), 'OPTIONS'])
  return { entry, handlers, headFromGet, allow: [...allowed].sort().join(', '), maxDuration, config }
}

// The handlers by method inherit nothing, so any method name looks up a handler or `undefined`
// (`constructor` finds none): dispatch checks the name against Next's list only when no handler
// answers it. A prototype of its own rather than `Object.create(null)`, which V8 keeps in
// dictionary mode, slower to read on every request (see params-object.ts).
function MethodHandlers(): void {}
MethodHandlers.prototype = Object.create(null) as object

function warnAboutLookalikes(entry: RouteEntry, exports: Record<string, unknown>, logger: Logger): void {
  const lookalikes = Object.keys(exports).filter(
    (name) => name === 'default' || (HTTP_METHODS as readonly string[]).includes(name.toUpperCase()) && name !== name.toUpperCase(),
  )
  if (lookalikes.length === 0) return
  const pagesRouter = lookalikes.includes('default')
    ? " A default export `handler(req, res)` is a Pages Router API route (pages/api/*): a route file exports a function per method, taking a Request and returning a Response."
    : ''
  logger.warn(
    `route-handlers: "${entry.relativeFile}" exports ${lookalikes.map((name) => `"${name}"`).join(', ')}; only ` +
      `uppercase named exports are handlers (export async function GET(request) { … }).${pagesRouter}`,
  )
}
