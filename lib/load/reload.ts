/**
 * Dev reload of the route graph, in the process that serves it (see dev-reload.ts for why not a
 * restart). Node never unloads an ES module, but a new URL is a new instance: a changed file, and
 * every project module that imports it up to the route files, gets a new version, and the hooks
 * load those under `?route-handlers-v=N` from then on. Modules nothing changed under (the db pool
 * the host app also holds, `node_modules`) keep their one instance. CommonJS modules are dropped
 * from `require.cache` instead, so they are read again, and can be garbage-collected.
 */
import { createRequire } from 'node:module'
import { sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { processGlobal } from '../process-global.ts'
import { routeGraph } from './install-hooks.ts'
import { forgetShared } from './require-shared.ts'

const requireCache = createRequire(import.meta.url).cache

/**
 * Files that changed on disk (added, edited or deleted): each, and every module that imports one,
 * loads as a new instance at its next import. `added`: a file appeared, so modules whose imports
 * did not resolve (it may be the missing one) are loaded again too.
 */
export function markChanged(paths: readonly string[], added: boolean): void {
  const graph = routeGraph()
  const queue = paths.map((path) => pathToFileURL(path).href)
  if (added) queue.push(...graph.takeUnresolved())
  const affected = new Set<string>()
  for (let url = queue.pop(); url !== undefined; url = queue.pop()) {
    if (affected.has(url)) continue
    affected.add(url)
    queue.push(...graph.importersOf(url))
  }
  // One counter for the process: two route folders that share a module agree on its version.
  const counter = processGlobal('reload-version', () => ({ last: 0 }))
  graph.setVersion([...affected], ++counter.last)
  for (const url of affected) {
    delete requireCache[fileURLToPath(url)]
    forgetShared(fileURLToPath(url))
  }
}

/** The version a route file (a real path) loads under: 0 until it, or a module it imports, changes. */
export function routeFileVersion(file: string): number {
  return routeGraph().versionOf(pathToFileURL(file).href)
}

/** Where the files that imports which did not resolve name would be (any route folder's). */
export function missingFiles(): string[] {
  return routeGraph().missingPaths()
}

/** The project files outside the route folder `dir` (its real path) that its route files reached. */
export function outsideFiles(dir: string): string[] {
  const graph = routeGraph()
  const folder = graph.folderOf(pathToFileURL(dir.endsWith(sep) ? dir : `${dir}${sep}`).href)
  return folder ? graph.outsideFilesOf(folder).map((url) => fileURLToPath(url)) : []
}
