import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { scanRouteFolder, type RouteFolderScan } from './scan.ts'

// Lookalikes warned about by name; past them, a folder of helpers named index.ts is one line.
const LOOKALIKES_NAMED = 5

/**
 * Warnings for a route folder (at start-up, and under dev reload each time it changes) that would serve less than it seems to: no route file at
 * all (every request falls through, and the app 404s with nothing said), files named almost like
 * one (`index.ts`, `routes.ts`, `Route.ts`, `route.txt`) in a folder without a route file,
 * symlinks not followed (outside the folder, or a cycle), route files under a route group beside it
 * that Next.js serves under the same URLs (`app/(ee)/api` beside `app/api`), and a route file with a
 * page for its URL (beside it, or through another route group).
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
  for (const folder of groupedTwins(dir)) {
    warn(
      `route-handlers: "${folder}" holds route files Next.js serves under the same URLs as "${dir}" (a route group's name is not part of the URL), ` +
        `and it is outside the route folder, so they are not served. Give the folder above as dir ('${dirname(dir)}') and mount it at the root, where every route file answers its Next.js URL.`,
    )
  }
  for (const file of nextMiddlewareFiles(dir)) {
    warn(
      `route-handlers: "${file}" is Next.js middleware (proxy, in Next 16), which route-handlers does not run: what it does for these routes ` +
        "(an auth check, a redirect, headers) does not happen. Do it in the app's own middleware (Express app.use(), a Fastify onRequest hook) before the route handlers.",
    )
  }
  for (const { route, page, beside } of scan.pageConflicts) {
    const conflict = beside
      ? `"${route}" has a page beside it, "${page}": Next.js refuses to build that folder ("Conflicting route and page").`
      : `"${route}" and the page "${page}" answer the same URL: Next.js refuses to build two files for one URL (through route groups: "You cannot have two parallel pages that resolve to the same path").`
    warn(`route-handlers: ${conflict} Here the route file serves its URL and the page is ignored; give one of them another ${beside ? 'folder' : 'path'}.`)
  }
}

const MIDDLEWARE_NAMES = ['middleware', 'proxy'].flatMap((name) => ['.ts', '.js', '.mjs', '.tsx', '.jsx'].map((extension) => name + extension))

// What a Next.js middleware or proxy file has, and an Express app's own `middleware.js` (a module
// of its middleware functions) has not: `next/server`, a `matcher`, or a function exported under
// Next's name (`export { auth as middleware }`, next-auth's).
const NEXT_MIDDLEWARE = /next\/server|\bmatcher\s*:|\bas\s+(?:middleware|proxy)\b|export\s+(?:default\s+)?(?:async\s+)?function\s+(?:middleware|proxy)\b|export\s+const\s+(?:middleware|proxy)\b/

// Where Next.js looks for it (the folder holding app/, the project root or src/), and the route folder itself.
function nextMiddlewareFiles(dir: string): string[] {
  const candidates = [dirname(dir), dir].flatMap((folder) => MIDDLEWARE_NAMES.map((name) => join(folder, name)))
  return candidates.filter((file) => existsSync(file) && NEXT_MIDDLEWARE.test(readFileSync(file, 'utf8')))
}

const ROUTE_GROUP = /^\(.+\)$/

/**
 * Folders of the route folder's name under route groups beside it, holding route files: given
 * `app/api` as dir, `app/(ee)/api` (trial: papermark keeps its enterprise API there), which Next.js
 * serves under `/api` as well. Through nested groups too (`app/(a)/(b)/api`).
 */
function groupedTwins(dir: string): string[] {
  const name = basename(dir)
  if (ROUTE_GROUP.test(name)) return []
  const twins: string[] = []
  const visit = (folder: string): void => {
    let entries
    try {
      entries = readdirSync(folder, { withFileTypes: true })
    } catch {
      return
    }
    // In name order: the warnings read the same on every file system.
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isDirectory() || !ROUTE_GROUP.test(entry.name)) continue
      const group = join(folder, entry.name)
      const twin = join(group, name)
      if (holdsRouteFiles(twin)) twins.push(twin)
      visit(group)
    }
  }
  visit(dirname(dir))
  return twins
}

// A folder that cannot be read (or is a file) holds none as far as a warning is concerned: a
// warning never fails the start (review).
function holdsRouteFiles(folder: string): boolean {
  if (!existsSync(folder)) return false
  try {
    return scanRouteFolder(folder).routes.length > 0
  } catch {
    return false
  }
}
