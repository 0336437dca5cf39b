import { readFileSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { routeHandlersError } from './errors.ts'
import { parseSegment, type Segment } from './segments.ts'

/** Next.js's route file names, plus the module flavours Node knows. */
export const ROUTE_FILE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'] as const

const ROUTE_FILES = new Set(ROUTE_FILE_EXTENSIONS.map((extension) => `route${extension}`))

/**
 * `route.*`, `routes.*`, and `index` as a module that is not JSX, in any case: what a route file is
 * often misnamed as. Not `index.tsx`/`index.jsx`, nor an `index.css`: Next.js apps keep components
 * in `app/` beside their routes (`components/nav/index.tsx`), which Next routes no more than this.
 */
const LOOKALIKE = /^(?:routes?\.|index\.(?:ts|js|mjs|cjs|mts|cts)$)/i
// `routes.*` and `index.*` are also the names of helpers Next.js apps keep in `app/`
// (lobe-chat's `(backend)/middleware/auth/index.ts`): those are lookalikes only when they export a
// handler, as a misnamed route file does.
const HELPER_NAME = /^(?:routes|index)\./i
const EXPORTS_HANDLER = /\bexport\s+(?:async\s+)?(?:function\s*\*?|const|let|var)\s*(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b|\bexport\s+(?:const|let|var)\s*\{[^}]*\b(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b|\bexport\s*\{[^}]*\b(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b|\bexports\.(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s*=|\bmodule\.exports\s*=\s*\{[^}]*\b(?:GET|POST|PUT|PATCH|DELETE)\b/
// Next.js's page files (its default `pageExtensions`, and MDX pages).
const PAGE_FILE = /^page\.(?:tsx|ts|jsx|js|mdx|md)$/

/** True for a file name a route file is often misnamed as (`Route.ts`, `index.ts`, `routes.js`). */
export function looksLikeRouteFile(name: string): boolean {
  return LOOKALIKE.test(name) && !ROUTE_FILES.has(name)
}

export interface ScannedRoute {
  /** Absolute path, through the folders (and links) it was found in. */
  file: string
  /**
   * The real path, to import: a route file reached through several links is one module, even
   * under `--preserve-symlinks`.
   */
  moduleFile: string
  /** Path relative to the route folder, with `/` separators, for messages. */
  relativeFile: string
  /** Every folder between the route folder and the file, groups included. */
  segments: Segment[]
}

// What the scan asks of an entry, or of where a link leads.
type Kind = Pick<Stats, 'isFile' | 'isDirectory'>

interface Scan {
  dir: string
  realDir: string
  routes: ScannedRoute[]
  lookalikes: string[]
  skippedLinks: SkippedLink[]
  pageConflicts: PageConflict[]
  /** Every page file, with the folders on its way (for conflicts across route groups). */
  pages: { file: string; segments: Segment[] }[]
}

/**
 * A route file and a page file of the same URL (both relative to the route folder, `/`
 * separators): beside each other, or in other folders (another route group, a catch-all's).
 */
export interface PageConflict {
  route: string
  page: string
  /** True when the page is in the route file's own folder. */
  beside: boolean
}

/** A symlink the scan did not follow: it leads outside the route folder, or round a cycle. */
export interface SkippedLink {
  /** The link, relative to the route folder with `/` separators. */
  link: string
  /** Its real target. */
  target: string
  reason: 'outside' | 'cycle'
}

/** What a scan found: the route files, and the files that look like one but are not. */
export interface RouteFolderScan {
  routes: ScannedRoute[]
  /**
   * Files named like a route file but not one (`index.ts`, `routes.ts`, `Route.ts`, `route.txt`),
   * relative to the folder with `/` separators, in folders that hold no route file: each is most
   * likely a route that answers nothing.
   */
  lookalikes: string[]
  /** Symlinks not followed (outside the folder, or a cycle), for start-up warnings. */
  skippedLinks: SkippedLink[]
  /**
   * Route files with a Next.js page (`page.tsx`) for the same URL: beside them, where Next.js
   * refuses to build the folder ("Conflicting route and page"), or elsewhere, through another route
   * group (`(site)/about/page.tsx` and `(api)/about/route.ts`: "You cannot have two parallel pages
   * that resolve to the same path") or a catch-all (`docs/[[...slug]]/route.ts` and
   * `docs/page.tsx`), which Next.js refuses too. Here the route file serves the URL and the page is
   * ignored, with a start-up warning.
   */
  pageConflicts: PageConflict[]
}

/**
 * Finds every route file under `dir`, skipping private `_folders`. Synchronous on purpose: it runs
 * once at start-up, so structural mistakes throw where the app creates the handlers.
 *
 * Symlinks are followed inside `dir` only: a linked route file or folder serves at the link's
 * path; a link that leads outside `dir` (where the scan could wander anywhere, `/etc` included),
 * or back to a folder it is in (a cycle, found by real path), is not followed and is reported in
 * `skippedLinks` (a start-up warning) — a link to shared components outside the folder must not
 * stop the app. A broken link is skipped, as if absent.
 *
 * @example
 * scanRoutes('/srv/app') // [{ file: '/srv/app/items/route.ts', relativeFile: 'items/route.ts', segments: [...] }]
 */
export function scanRoutes(dir: string): ScannedRoute[] {
  return scanRouteFolder(dir).routes
}

/**
 * {@link scanRoutes}, also reporting the lookalike files it passed over, for start-up warnings.
 *
 * @example
 * scanRouteFolder('/srv/app').lookalikes // ['items/index.ts']
 */
export function scanRouteFolder(dir: string): RouteFolderScan {
  if (!isDirectory(dir)) throw routeHandlersError('RH_ERR_DIR_NOT_FOUND', [dir, process.cwd()])
  const scan: Scan = { dir, realDir: realpathSync.native(dir), routes: [], lookalikes: [], skippedLinks: [], pageConflicts: [], pages: [] }
  walk(scan, dir, [scan.realDir], [])
  addConflictsAcrossGroups(scan)
  return { routes: scan.routes, lookalikes: scan.lookalikes, skippedLinks: scan.skippedLinks, pageConflicts: scan.pageConflicts }
}

/** `realFolders`: the real path of `folder` and of each folder above it, up to `dir`. */
function walk(scan: Scan, folder: string, realFolders: string[], segments: Segment[]): void {
  const realFolder = realFolders[realFolders.length - 1]!
  const entries = folderEntries(folder, realFolders.length === 1).sort((a, b) => (a.name < b.name ? -1 : 1))
  let routeFile: string | undefined
  let pageFile: string | undefined
  const lookalikes: string[] = []
  for (const entry of entries) {
    const path = join(folder, entry.name)
    const isRouteFile = ROUTE_FILES.has(entry.name)
    // Only route files and folders are followed; other links are the module loader's business.
    const target: { real: string; stats: Kind } | undefined = entry.isSymbolicLink()
      ? followLink(scan, path, entry.name)
      : { real: join(realFolder, entry.name), stats: entry }
    if (target === undefined) continue
    if (isRouteFile && target.stats.isFile()) {
      routeFile = relativeTo(scan.dir, path)
      scan.routes.push({ file: path, moduleFile: target.real, relativeFile: routeFile, segments })
    } else if (target.stats.isFile() && PAGE_FILE.test(entry.name)) {
      pageFile = relativeTo(scan.dir, path)
      scan.pages.push({ file: pageFile, segments })
    } else if (!isRouteFile && target.stats.isFile() && LOOKALIKE.test(entry.name) && (!HELPER_NAME.test(entry.name) || exportsHandler(path))) {
      lookalikes.push(relativeTo(scan.dir, path))
    } else if (target.stats.isDirectory()) {
      if (entry.name === 'node_modules') continue
      const segment = parseSegment(entry.name)
      if (segment.kind === 'private') continue
      if (realFolders.includes(target.real)) {
        scan.skippedLinks.push({ link: relativeTo(scan.dir, path), target: target.real, reason: 'cycle' })
        continue
      }
      walk(scan, path, [...realFolders, target.real], [...segments, segment])
    }
  }
  // Beside a route file, an index.ts or a route.test.ts is a helper, not a mistake.
  if (routeFile === undefined) scan.lookalikes.push(...lookalikes)
  else if (pageFile !== undefined) scan.pageConflicts.push({ route: routeFile, page: pageFile, beside: true })
}

// Whether a file's source exports one of the handler names, as far as a look at its text tells.
function exportsHandler(path: string): boolean {
  try {
    return EXPORTS_HANDLER.test(readFileSync(path, 'utf8'))
  } catch {
    return false
  }
}

/**
 * Pages that a route file in another folder answers the URL of: through another route group
 * (`(site)/about` and `(api)/about`), or through its catch-all (`docs/[[...slug]]` and `docs`).
 * Pages under a parallel-route slot or an interception folder, whose URLs Next.js works out
 * otherwise, are left out.
 */
function addConflictsAcrossGroups(scan: Scan): void {
  if (scan.pages.length === 0) return
  const routesOfUrl = new Map<string, ScannedRoute[]>()
  for (const route of scan.routes) {
    for (const url of urlShapesOf(route.segments)) routesOfUrl.set(url, [...(routesOfUrl.get(url) ?? []), route])
  }
  for (const page of scan.pages) {
    // The same folders (one array) are the page beside the route file, reported by the walk.
    const route = urlShapesOf(page.segments)
      .flatMap((url) => routesOfUrl.get(url) ?? [])
      .find((found) => found.segments !== page.segments)
    if (route !== undefined) scan.pageConflicts.push({ route: route.relativeFile, page: page.file, beside: false })
  }
}

/**
 * The URLs folders make, route groups left out and params by kind (`/blog/[]`): a catch-all and an
 * optional one are one shape (both take `/docs/a/b`), and an optional one also makes its parent's
 * URL (`docs/[[...slug]]` serves `/docs`). None for a folder that is no plain URL segment
 * (a parallel-route slot, an interception): Next.js works out those URLs otherwise.
 */
function urlShapesOf(segments: Segment[]): string[] {
  let shape = ''
  for (const segment of segments) {
    if (segment.kind === 'group') continue
    if (segment.kind === 'static') shape += `/${segment.name}`
    else if (segment.kind === 'dynamic') shape += '/[]'
    else if (segment.kind === 'catch-all') shape += '/[...]'
    else if (segment.kind === 'optional-catch-all') return [`${shape}/[...]`, shape || '/']
    else return []
  }
  return [shape || '/']
}

/**
 * A folder's entries. A folder below the route folder that went between its parent's listing and
 * its own (dev reload rescans while `rm -rf` is still removing it) holds no routes; the route
 * folder itself missing is an error.
 */
function folderEntries(folder: string, isRouteFolder: boolean): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (!isRouteFolder && (code === 'ENOENT' || code === 'ENOTDIR')) return []
    throw error
  }
}

/**
 * Where a link leads, when it matters: a route file, or a routed folder inside `dir`. Undefined for
 * a broken link and for links the scan does not follow (other files, `_private`, `node_modules`).
 */
function followLink(scan: Scan, path: string, name: string): { real: string; stats: Kind } | undefined {
  const stats = statOrUndefined(path)
  if (stats === undefined) return undefined
  const isRouteFile = ROUTE_FILES.has(name)
  if (isRouteFile ? !stats.isFile() : !stats.isDirectory()) return undefined
  if (!isRouteFile && (name === 'node_modules' || parseSegment(name).kind === 'private')) return undefined
  const real = realpathOrUndefined(path)
  if (real === undefined) return undefined
  if (real !== scan.realDir && !real.startsWith(scan.realDir.endsWith(sep) ? scan.realDir : scan.realDir + sep)) {
    scan.skippedLinks.push({ link: relativeTo(scan.dir, path), target: real, reason: 'outside' })
    return undefined
  }
  return { real, stats }
}

function relativeTo(dir: string, path: string): string {
  return relative(dir, path).split(sep).join('/')
}

function isDirectory(path: string): boolean {
  return statOrUndefined(path)?.isDirectory() === true
}

// Removed since it was listed: not there.
function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync.native(path)
  } catch {
    return undefined
  }
}

// Missing, a broken link, a link to itself (ELOOP), unreadable: not there, for the scan.
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
