import { readdirSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { routeHandlersError } from './errors.ts'
import { parseSegment, type Segment } from './segments.ts'

/** Next.js's route file names, plus the module flavours Node knows. */
export const ROUTE_FILE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'] as const

const ROUTE_FILES = new Set(ROUTE_FILE_EXTENSIONS.map((extension) => `route${extension}`))

export interface ScannedRoute {
  /** Absolute path. */
  file: string
  /** Path relative to the route folder, with `/` separators, for messages. */
  relativeFile: string
  /** Every folder between the route folder and the file, groups included. */
  segments: Segment[]
}

/**
 * Finds every route file under `dir`, skipping private `_folders`. Synchronous on purpose: it runs
 * once at start-up, so structural mistakes throw where the app creates the handlers.
 *
 * @example
 * scanRoutes('/srv/app') // [{ file: '/srv/app/items/route.ts', relativeFile: 'items/route.ts', segments: [...] }]
 */
export function scanRoutes(dir: string): ScannedRoute[] {
  if (!isDirectory(dir)) throw routeHandlersError('RH_ERR_DIR_NOT_FOUND', [dir])
  const routes: ScannedRoute[] = []
  walk(dir, dir, [], routes)
  return routes
}

function walk(root: string, folder: string, segments: Segment[], routes: ScannedRoute[]): void {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const entry of entries) {
    const path = join(folder, entry.name)
    if (entry.isFile() && ROUTE_FILES.has(entry.name)) {
      routes.push({ file: path, relativeFile: relative(root, path).split(sep).join('/'), segments })
    } else if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) {
      if (entry.name === 'node_modules') continue
      const segment = parseSegment(entry.name)
      if (segment.kind === 'private') continue
      walk(root, path, [...segments, segment], routes)
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
