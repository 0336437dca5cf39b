import type { RouteFolderScan } from './scan.ts'

// Lookalikes warned about by name; past them, a folder of helpers named index.ts is one line.
const LOOKALIKES_NAMED = 5

/**
 * Warnings for a route folder (at start-up, and under dev reload each time it changes) that would serve less than it seems to: no route file at
 * all (every request falls through, and the app 404s with nothing said), files named almost like
 * one (`index.ts`, `routes.ts`, `Route.ts`, `route.txt`) in a folder without a route file,
 * symlinks not followed (outside the folder, or a cycle), and a route file with a page for its URL
 * (beside it, or through another route group).
 *
 * @example
 * warnAboutRouteFolder('/srv/app', scanRouteFolder('/srv/app'), console.warn)
 */
export function warnAboutRouteFolder(dir: string, scan: RouteFolderScan, warn: (message: string) => void): void {
  if (scan.routes.length === 0) {
    warn(
      `route-handlers: no route files in "${dir}", so every request falls through. A route file is ` +
        'named route.ts (or .js, .mjs, .cjs, .tsx, …) in the folder of its URL: hello/route.ts serves /hello.',
    )
  }
  for (const { link, target, reason } of scan.skippedLinks) {
    const why = reason === 'outside' ? `leads outside the route folder, to "${target}"` : `leads back to "${target}", a folder it is in`
    warn(
      `route-handlers: the symlink "${link}" ${why}, so it is not followed and serves nothing. ` +
        'Route folders follow symlinks inside themselves only; start its name with "_" to say it is not routed.',
    )
  }
  for (const file of scan.lookalikes.slice(0, LOOKALIKES_NAMED)) {
    warn(
      `route-handlers: "${file}" is not a route file, and its folder has none, so it serves nothing. ` +
        'Name it route.ts (or .js, .mjs, …); if it is a helper, move it into a private folder (_lib/).',
    )
  }
  const unnamed = scan.lookalikes.length - LOOKALIKES_NAMED
  if (unnamed > 0) {
    warn(`route-handlers: ${unnamed} more file${unnamed === 1 ? '' : 's'} named like a route file (index.ts, routes.ts, …) in folders without one ${unnamed === 1 ? 'serves' : 'serve'} nothing either.`)
  }
  for (const { route, page, beside } of scan.pageConflicts) {
    const conflict = beside
      ? `"${route}" has a page beside it, "${page}": Next.js refuses to build that folder ("Conflicting route and page").`
      : `"${route}" and the page "${page}" answer the same URL: Next.js refuses to build two files for one URL (through route groups: "You cannot have two parallel pages that resolve to the same path").`
    warn(`route-handlers: ${conflict} Here the route file serves its URL and the page is ignored; give one of them another ${beside ? 'folder' : 'path'}.`)
  }
}
