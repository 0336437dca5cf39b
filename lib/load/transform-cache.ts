import { createHash, randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, existsSync, fstatSync, futimesSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const DAY = 24 * 60 * 60 * 1000
// An entry no start has read for this long is removed by the sweep.
const UNUSED_FOR = 7 * DAY

/**
 * Compiled TypeScript kept on disk between runs, keyed by everything that decides the output
 * (esbuild's version, the options, the file's path and source): a restart recompiles nothing that
 * did not change. Reads and writes that fail (a read-only disk) only cost the compilation.
 */
export class TransformCache {
  readonly #dir: string
  #created = false

  constructor(dir: string) {
    this.#dir = dir
  }

  key(compilerVersion: string, options: object, source: string): string {
    return createHash('sha256').update(`${compilerVersion}\0${JSON.stringify(options)}\0`).update(source).digest('hex')
  }

  /** True when entries can be written (the folder exists, or was made, and is writable). */
  writable(): boolean {
    try {
      if (!this.#created) mkdirSync(this.#dir, { recursive: true })
      this.#created = true
      accessSync(this.#dir, constants.W_OK)
      return true
    } catch {
      return false
    }
  }

  has(key: string): boolean {
    return existsSync(join(this.#dir, `${key}.js`))
  }

  get(key: string): string | undefined {
    let fd: number
    try {
      fd = openSync(join(this.#dir, `${key}.js`), 'r')
    } catch {
      return undefined
    }
    try {
      const code = readFileSync(fd, 'utf8')
      keepYoung(fd)
      return code
    } catch {
      return undefined
    } finally {
      closeSync(fd)
    }
  }

  set(key: string, code: string): void {
    try {
      if (!this.#created) mkdirSync(this.#dir, { recursive: true })
      this.#created = true
      // Written whole, then renamed: a process reading at the same time never sees half a file.
      const partial = join(this.#dir, `${key}.${process.pid}.partial`)
      writeFileSync(partial, code)
      renameSync(partial, join(this.#dir, `${key}.js`))
    } catch {
      // Compiling again next time is the only cost.
    }
  }

  /**
   * Removes the entries no start has used for a week, and writes a crash left half done; at most
   * once a day per cache folder (a marker file's age says when), in the background of a start.
   */
  async sweep(): Promise<void> {
    const marker = join(this.#dir, '.swept')
    const now = Date.now()
    try {
      if (now - (await stat(marker)).mtimeMs < DAY) return
    } catch {
      // Never swept (or no cache yet: then readdir below finds nothing).
    }
    try {
      await writeFile(marker, '')
      for (const name of await readdir(this.#dir)) {
        const maxAge = name.endsWith('.js') ? UNUSED_FOR : name.endsWith('.partial') ? DAY : undefined
        if (maxAge === undefined) continue
        const path = join(this.#dir, name)
        if (now - (await stat(path)).mtimeMs > maxAge) await rm(path, { force: true })
      }
    } catch {
      // A cache folder that cannot be listed or written keeps its files: they only take room.
    }
  }
}

/**
 * A hit keeps the entry young (once a day at most), so the sweep removes only entries no start
 * has used for a week: old versions from dev reload's saves, files since deleted. In a cache this
 * process cannot write (filled when the image was built, run by another user or on a read-only
 * disk) the entry stays as it is, and still a hit.
 */
function keepYoung(fd: number): void {
  const now = Date.now()
  try {
    if (now - fstatSync(fd).mtimeMs > DAY) futimesSync(fd, now / 1000, now / 1000)
  } catch {
    // Nothing sweeps a folder it cannot write either.
  }
}

/**
 * Where a route folder's compiled files are kept: `ROUTE_HANDLERS_CACHE_DIR` if set, else the
 * project's `node_modules/.cache/route-handlers` (the convention of babel-loader, ESLint and
 * webpack: it lives as long as the install, in a container image too) when it can be written or
 * already holds entries, else the temp folder (a read-only install, a container running as a user
 * that does not own it: compiled files are then kept at least while the container lives; see
 * tempCacheDir). The project is the nearest folder up with a `package.json`; when it has no
 * `node_modules`, its workspace's root (an npm or pnpm workspace above it), whose install an npm
 * workspace hoists there. Never an unrelated folder above the project (a Yarn Plug'n'Play project,
 * which has no `node_modules`, inside a home folder that has one).
 */
export function transformCacheDir(routeFolder: string): string {
  const configured = process.env.ROUTE_HANDLERS_CACHE_DIR
  if (configured) return configured
  let project: string | undefined
  for (let folder = routeFolder; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json')) && (project === undefined || isWorkspaceRoot(folder))) {
      const modules = join(folder, 'node_modules')
      if (existsSync(modules)) {
        const cache = join(modules, '.cache', 'route-handlers')
        if (existsSync(cache) || new TransformCache(cache).writable()) return cache
        break
      }
      // A workspace root without one (Yarn Plug'n'Play) ends the search.
      if (project !== undefined) break
      project = folder
    }
    if (dirname(folder) === folder) break
  }
  return tempCacheDir()
}

/** A folder whose `package.json` lists workspaces (npm, Yarn), or that holds `pnpm-workspace.yaml`. */
function isWorkspaceRoot(folder: string): boolean {
  if (existsSync(join(folder, 'pnpm-workspace.yaml'))) return true
  try {
    return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { workspaces?: unknown }).workspaces !== undefined
  } catch {
    return false
  }
}

/**
 * The temp folder's cache: one per user, kept between runs, used only when it is this user's own
 * and no one else can write it (anyone can make a folder in /tmp first, and plant compiled code
 * under keys anyone can work out); else a fresh private folder for this process. The user id
 * comes from `process.getuid()`: a container user without a passwd entry has no `userInfo()`.
 */
function tempCacheDir(): string {
  const uid = process.getuid?.()
  const shared = join(tmpdir(), `route-handlers-cache-${uid ?? 'user'}`)
  if (isPrivateFolder(shared, uid)) return shared
  try {
    return mkdtempSync(join(tmpdir(), 'route-handlers-cache-'))
  } catch {
    // No temp folder this process can write either (a read-only root file system without one):
    // nothing is kept, and nothing is read from a folder anyone could have made under a name known
    // in advance. Route files that need no compiling (JavaScript) need no cache at all.
    return join(tmpdir(), `route-handlers-cache-${randomBytes(8).toString('hex')}`)
  }
}

function isPrivateFolder(path: string, uid: number | undefined): boolean {
  try {
    mkdirSync(path, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false
  }
  try {
    const info = lstatSync(path)
    return info.isDirectory() && (uid === undefined || info.uid === uid) && (info.mode & 0o022) === 0
  } catch {
    return false
  }
}
