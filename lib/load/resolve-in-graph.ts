import { readFileSync, realpathSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FolderConfig } from './folder-config.ts'

// What Next.js's bundler tries for an import without an extension, in its order.
const EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json']
// TypeScript's own rule: `./db.js` in TypeScript source may name `./db.ts`.
const TYPESCRIPT_FOR = new Map([
  ['.js', ['.ts', '.tsx']],
  ['.jsx', ['.tsx']],
  ['.mjs', ['.mts']],
  ['.cjs', ['.cts']],
])

const TYPESCRIPT_SOURCE = /\.(?:[cm]?ts|tsx)$/

/**
 * Resolves what Node alone would not, for a project file of a route graph (the graph's aliases are
 * answered before this), as Next.js resolves it: tsconfig `paths` (`@/lib/db`), imports without an
 * extension or of a folder, and `./db.js` naming `./db.ts`; the last two also for the TypeScript
 * source of a package. Returns a `file:` URL, or `undefined` to let Node resolve the specifier
 * (packages, `node:` modules, and files it will report missing).
 */
export function resolveInGraph(specifier: string, parentUrl: string, folder: FolderConfig): string | undefined {
  if (!parentUrl.startsWith('file:') || /[?#]/.test(specifier)) return undefined
  const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..'
  // A package's TypeScript source (a workspace package `pnpm deploy` copied into node_modules)
  // imports its own files as TypeScript does; anything else in a package is Node's to resolve.
  if (isPackageFile(parentUrl, folder) && !(relative && TYPESCRIPT_SOURCE.test(parentUrl))) return undefined
  if (relative) return findFile(resolve(dirname(fileURLToPath(parentUrl)), specifier))
  if (specifier.startsWith('file:')) return findFile(fileURLToPath(specifier))
  if (isAbsolute(specifier)) return findFile(specifier)
  // `util` is Node's even where a tsconfig `baseUrl` holds a `util/` folder.
  if (!folder.paths || isBuiltin(specifier)) return undefined
  for (const candidate of folder.paths(specifier)) {
    const found = findFile(candidate)
    if (found) return found
  }
  return undefined
}

/** Whether `url` is a package's file: in a `node_modules` folder, but for one above the project's tsconfig. */
function isPackageFile(url: string, folder: FolderConfig): boolean {
  const project = folder.projectUrl
  // From the project folder's own closing slash, so that `node_modules/` right in it counts.
  return url.includes('/node_modules/', project !== null && url.startsWith(project) ? project.length - 1 : 0)
}

const PRESERVE_SYMLINKS = process.execArgv.includes('--preserve-symlinks') || process.env.NODE_PRESERVE_SYMLINKS === '1'

// Files found, by the path asked for: a module every route imports is looked up once.
const found = new Map<string, string>()

/** Dev reload: a file was added or removed, so any import may now find another file. */
export function forgetFoundFiles(): void {
  found.clear()
}

/**
 * The `file:` URL of the module at `path` as Next's bundler finds it (the file, with an extension
 * added, or a folder's entry), or `undefined`.
 */
export function findFile(path: string): string | undefined {
  const known = found.get(path)
  if (known !== undefined) return known
  const file = isFile(path) ? path : withTypeScriptExtension(path) ?? withExtension(path) ?? folderEntry(path)
  if (file === undefined) return undefined
  // Node keys its module cache by real path (unless told to preserve symlinks): a symlinked path
  // must not make a second instance.
  const url = pathToFileURL(PRESERVE_SYMLINKS ? file : realpathSync.native(file)).href
  found.set(path, url)
  return url
}

/**
 * The `file:` URL of a package's module as Next's bundler finds it where Node's resolvers do not:
 * a workspace package that ships its TypeScript source (`@acme/lib` with an `index.ts` and no
 * `main`, `@acme/lib/constants` naming `constants.ts`), looked for in the `node_modules` folders
 * above the importer as Node looks. Not in a package with an `exports` map, which says itself what
 * may be imported. `undefined` when nothing is there.
 */
export function findPackageFile(specifier: string, importer: string): string | undefined {
  const name = /^(?:@[^/]+\/)?[^/@.][^/]*/.exec(specifier)?.[0]
  if (name === undefined || isBuiltin(specifier)) return undefined
  for (let dir = dirname(importer); ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', name)
    if (isDirectory(root)) {
      if (hasExportsMap(join(root, 'package.json'))) return undefined
      const url = findFile(root + specifier.slice(name.length))
      if (url !== undefined) return url
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** The folder of the installed package `specifier` names, looked for up from `importer`, if any. */
export function installedPackageFolder(specifier: string, importer: string): string | undefined {
  const name = /^(?:@[^/]+\/)?[^/@.][^/]*/.exec(specifier)?.[0]
  if (name === undefined || isBuiltin(specifier)) return undefined
  for (let dir = dirname(importer); ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', name)
    if (isDirectory(root)) return root
    if (dirname(dir) === dir) return undefined
  }
}

function hasExportsMap(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown }).exports !== undefined
  } catch {
    return false
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
}

function withTypeScriptExtension(path: string): string | undefined {
  const extension = extname(path)
  const candidates = TYPESCRIPT_FOR.get(extension)
  if (!candidates) return undefined
  const base = path.slice(0, -extension.length)
  for (const candidate of candidates) if (isFile(base + candidate)) return base + candidate
  return undefined
}

// A folder imported as a module: its package.json `main`, else its index, as Node's require does.
function folderEntry(path: string): string | undefined {
  const main = mainOf(join(path, 'package.json'))
  const entry = main === undefined ? undefined : join(path, main)
  if (entry !== undefined) {
    const found = isFile(entry) ? entry : withExtension(entry) ?? withExtension(join(entry, 'index'))
    if (found !== undefined) return found
  }
  return withExtension(join(path, 'index'))
}

function mainOf(manifest: string): string | undefined {
  if (!isFile(manifest)) return undefined
  try {
    const main = (JSON.parse(readFileSync(manifest, 'utf8')) as { main?: unknown }).main
    return typeof main === 'string' ? main : undefined
  } catch {
    return undefined
  }
}

function withExtension(path: string): string | undefined {
  for (const extension of EXTENSIONS) if (isFile(path + extension)) return path + extension
  return undefined
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true
}
