/**
 * Dev reload: edits to route files and the project modules they import take effect on the next
 * request, added route files are served and deleted ones stop, in the running process.
 *
 * Why in-process rather than a watcher that restarts the app: a restart drops what the app holds
 * (db pools, in-memory sessions, caches warmed by hand), and costs a whole start-up per save
 * (bench/RESULTS.md "Dev reload": a fresh process serving its first request takes ~25 times as long
 * as an in-process reload of one route). The cost of staying in-process is memory: Node never
 * unloads an ES module, so each edit keeps the old instance of the changed modules (measured at
 * 200 edits in the same section: it grows with the size of what was edited, not of the app).
 *
 * Changes are taken in as the watcher reports them, synchronously: the route table is rebuilt at
 * once (so `match()` agrees with the folder), and the changed modules get a new version. A route
 * file loads again lazily, when a request for it arrives (as `next dev` compiles on request), so
 * a save that touches a module used by a hundred routes costs nothing until they are asked for.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, relative, sep } from 'node:path'
import { markChanged, missingFiles, outsideFiles, routeFileVersion } from './load/reload.ts'
import type { RouteEntry } from './route-tree.ts'
import { looksLikeRouteFile, ROUTE_FILE_EXTENSIONS } from './scan.ts'
import type { Logger } from './types.ts'
import { isInside, watchRoutes, type RouteWatcher } from './watch-routes.ts'

// The files whose change can change a module of the route graph.
const MODULE_EXTENSIONS = new Set<string>([...ROUTE_FILE_EXTENSIONS, '.json'])
const ROUTE_FILES = new Set<string>(ROUTE_FILE_EXTENSIONS.map((extension) => `route${extension}`))

export interface DevReloadHost<Outcome> {
  /** The route folder, and its real path (the one modules are keyed by). */
  dir: string
  realDir: string
  logger: Logger
  /** Scans the folder again and swaps in the new route table; throws on a layout error. */
  rescan(): void
  /** Loads a route file at a version, without committing the result. */
  load(entry: RouteEntry, version: number): Promise<Outcome>
  /** Makes a load's result the route's (still the latest one asked for). */
  commit(entry: RouteEntry, outcome: Outcome): void
}

interface Job {
  version: number
  done: Promise<void>
}

export class DevReload<Outcome> {
  readonly #host: DevReloadHost<Outcome>
  readonly #watcher: RouteWatcher
  /** The project the route folder is in: the nearest folder above it with a package.json. */
  readonly #projectRoot: string
  readonly #loaded = new WeakMap<RouteEntry, number>()
  readonly #jobs = new Map<RouteEntry, Job>()
  // What each file held when last seen: editors and `writeFile` report one save as several events.
  readonly #seen = new Map<string, string>()
  #layoutError: string | undefined
  // The route files and folders changed while the layout error stood, each said once.
  readonly #waitingOnLayout = new Set<string>()

  constructor(host: DevReloadHost<Outcome>) {
    this.#host = host
    this.#projectRoot = projectRootOf(host.realDir)
    this.#watcher = watchRoutes(
      host.dir,
      (path, event) => this.#changed(path, event),
      (error) => host.logger.warn(`route-handlers: dev reload cannot watch every folder (${error.message}); restart to see changes there.`),
    )
  }

  /** Records what start-up loaded. */
  loaded(entry: RouteEntry, version: number): void {
    this.#loaded.set(entry, version)
  }

  /**
   * Watches the folders of the project files outside the route folder that its routes import, and
   * for an import that did not resolve, the nearest existing folder of where its file would be
   * (`shared/deep/late` with no `shared/` yet: the project's root), so the file is seen when it is
   * written, in folders made for it first or not. Within the project only: the route folder is
   * watched whole already, and a path outside the project (`../other-repo/x`) waits for a restart.
   */
  watchImports(): void {
    this.#watcher.watchFiles(outsideFiles(this.#host.realDir))
    const missing = this.#missingOutsideRoutes()
    this.#watcher.watchFolders(new Set(missing.map((path) => nearestExistingFolder(path, this.#projectRoot))))
  }

  // Missing files' paths (as real paths: tsconfig `paths` gives them through the route folder's
  // link, if any) that are the project's but not the route folder's.
  #missingOutsideRoutes(): string[] {
    const { realDir } = this.#host
    return missingFiles()
      .map(realPathOfMissing)
      .filter((path) => path !== realDir && !isInside(realDir, path) && isInside(this.#projectRoot, path))
  }

  /** Resolves once `entry`'s module is the one its files now make; `undefined` when it already is. */
  fresh(entry: RouteEntry): Promise<void> | undefined {
    const version = routeFileVersion(entry.moduleFile)
    if (this.#loaded.get(entry) === version) return undefined
    let job = this.#jobs.get(entry)
    if (job?.version === version) return job.done
    const started: Job = {
      version,
      done: this.#host.load(entry, version).then((outcome) => {
        // A later change may have started a newer load meanwhile: only the newest one counts.
        if (this.#jobs.get(entry) !== started) return
        this.#jobs.delete(entry)
        this.#host.commit(entry, outcome)
        this.#loaded.set(entry, version)
        this.watchImports()
      }),
    }
    this.#jobs.set(entry, started)
    return started.done
  }

  close(): void {
    this.#watcher.close()
  }

  #changed(path: string | null, event: 'rename' | 'change'): void {
    if (path === null || event === 'rename') this.#rescan(path)
    // A folder made on the way to a missing import's file is watched in turn.
    if (event === 'rename') this.watchImports()
    if (path === null) return
    // A folder that (re)appeared, moved back say: what it holds is new to the modules loaded so far.
    const files = event === 'rename' && isDirectory(path) ? (this.#holdsModules(path) ? moduleFilesIn(path) : []) : MODULE_EXTENSIONS.has(extname(path)) ? [path] : []
    const changed = files.filter((file) => {
      const contents = signature(file)
      if (this.#seen.get(file) === contents) return false
      this.#seen.set(file, contents)
      return true
    })
    if (changed.length > 0) markChanged(changed.map((file) => this.#realPath(file)), event === 'rename')
  }

  // A folder that appeared: in the route folder, anything in it may be a module of the routes;
  // outside, only on the way to a missing import's file or where imported files were (moved back).
  // Not `node_modules` or a dot folder (`npm ci`, `.next`), whose thousands of files are no project modules.
  #holdsModules(folder: string): boolean {
    if (folder === this.#host.dir || isInside(this.#host.dir, folder)) return true
    const name = basename(folder)
    if (name === 'node_modules' || name.startsWith('.')) return false
    const real = this.#realPath(folder)
    return this.#missingOutsideRoutes().some((path) => path === real || isInside(real, path)) || outsideFiles(this.#host.realDir).some((file) => isInside(real, file))
  }

  // Modules are keyed by real path; the watcher reports paths under `dir`, which may be a link or
  // under one (a deploy's `current -> releases/42`, macOS's `/tmp`), or through a linked folder.
  #realPath(path: string): string {
    try {
      return realpathSync.native(path)
    } catch {
      const { dir, realDir } = this.#host
      return path.startsWith(dir + sep) ? realDir + path.slice(dir.length) : path
    }
  }

  // A route file or folder added or removed changes the table; a layout error keeps the old one.
  #rescan(path: string | null): void {
    // The folder itself: it came back (see watchRoutes).
    // Other modules are no part of the table; a misnamed route file gets its warning (see rescan).
    const otherModule = MODULE_EXTENSIONS.has(extname(path ?? '')) && !ROUTE_FILES.has(basename(path ?? '')) && !looksLikeRouteFile(basename(path ?? ''))
    if (path !== null && path !== this.#host.dir && (!path.startsWith(this.#host.dir + sep) || otherModule)) return
    try {
      this.#host.rescan()
      this.#layoutError = undefined
      this.#waitingOnLayout.clear()
    } catch (error) {
      // Said again for each route file or folder changed meanwhile: a route added while the error
      // stands is not served either, and its 404 needs the reason beside it. The message says all
      // there is (a stack of the watcher's frames would only follow it).
      const message = (error as Error).message
      if (message !== this.#layoutError) this.#waitingOnLayout.clear()
      // A route file and the folder it was added in are one change.
      const changed = path !== null && ROUTE_FILES.has(basename(path)) ? dirname(path) : path
      const known = message === this.#layoutError && (changed === null || this.#waitingOnLayout.has(changed))
      if (changed !== null) this.#waitingOnLayout.add(changed)
      this.#layoutError = message
      if (!known) this.#host.logger.error(`route-handlers: ${message} (the routes stay as they were until this is fixed)`)
    }
  }
}

/** The module files in `folder` and below it (not `node_modules` or dot folders). */
function moduleFilesIn(folder: string): string[] {
  let entries: string[]
  try {
    entries = readdirSync(folder, { recursive: true, encoding: 'utf8' })
  } catch {
    return []
  }
  return entries
    .filter((entry) => MODULE_EXTENSIONS.has(extname(entry)) && !entry.split(sep).some((part) => part === 'node_modules' || part.startsWith('.')))
    .map((entry) => join(folder, entry))
}

/** `path` if it is a folder, else its nearest ancestor that is one, not above `root`. */
function nearestExistingFolder(path: string, root: string): string {
  let folder = path
  while (folder !== root && !isDirectory(folder) && dirname(folder) !== folder) folder = dirname(folder)
  return folder
}

/**
 * The nearest folder above `dir` with a package.json (one in the route folder itself, for its
 * `"type"`, does not make it the project); without one, the folder above `dir`.
 */
function projectRootOf(dir: string): string {
  for (let folder = dirname(dir); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder
    if (dirname(folder) === folder) return dirname(dir)
  }
}

/** `path` with its nearest existing folder replaced by that folder's real path. */
function realPathOfMissing(path: string): string {
  let existing = path
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
  try {
    return join(realpathSync.native(existing), relative(existing, path))
  } catch {
    return path
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
}

function signature(path: string): string {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('base64')
  } catch {
    return 'missing'
  }
}
