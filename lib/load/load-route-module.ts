/**
 * Loading route files: one module graph per process.
 *
 * Route files are imported by their real URL (ES module ones 32 at a time, through a module that
 * re-exports them: see {@link loadRouteModulesTogether}), so every module keeps the URL (and the
 * instance) Node gives it: a `lib/db.js` the host app required and a route file imports is one
 * module, one connection pool. Module hooks, installed once per process, apply only to the route
 * graph: the files under a route folder and every module reached from them, `node_modules`
 * included. For those modules:
 * - `next/server`, `next/headers`, `next/navigation` resolve to this package (so next-auth's
 *   `auth()` reads our request store), `server-only` to an empty module, `client-only` throws;
 * - TypeScript and JSX compile with esbuild as Next.js compiles them (ES modules in any package
 *   type, React's automatic JSX runtime), with the tsconfig that governs the route folder:
 *   `paths` (`@/lib/db`), extensionless and folder imports, `./db.js` naming `./db.ts`;
 * - a `.js` file with `import`/`export` in a package without `"type"` loads as an ES module.
 *
 * One mechanism per Node line:
 * - Node 22.15+, 24, 26: `module.registerHooks`, synchronous, on the main thread, for `import`
 *   and `require()` alike (hooks-in-thread.ts);
 * - Node 20.19+ and 22 before 22.15: `module.register` hooks on Node's hooks thread for `import`
 *   (hooks-off-thread.ts), `Module._resolveFilename` for `require()` (require-hooks.ts), sharing
 *   the graph over a port.
 *
 * One instance across module flavours, whichever side loads a project file first: a file the app
 * `require()`d (compiled by its TypeScript loader, tsx) is imported by route files through a facade
 * over that instance (commonjs-facade.ts; on Node 22.15+ only, where the hooks share the thread);
 * a file route files imported first is what a later `require()` of it gets (require-shared.ts).
 *
 * Dev reload (reload.ts, with the watching in ../dev-reload.ts): with the `reload` option the
 * hooks also record who imports what among the project's modules, and load a changed module and
 * its importers under `?route-handlers-v=N` (a new URL, so a new instance); CommonJS ones are
 * dropped from `require.cache`. Nothing is recorded or versioned for folders without it.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { routeHandlersError } from '../errors.ts'
import { routeGraph } from './install-hooks.ts'
import { withoutQuery } from './route-graph.ts'
import type { FolderSpec } from './folder-config.ts'
import { LINK_ONLY, togetherUrl, versionedUrl } from './graph-steps.ts'
import { describeLoadError, isStaleLinkFailure } from './load-error.ts'
import { expectDuplicateRejection } from './node20-duplicate-rejection.ts'
import { hasModuleSyntax } from './module-syntax.ts'
import { precompileRouteFiles, type CompiledAhead } from './precompile.ts'
import { registerHooks } from './register-hooks.ts'
import { isCompiled } from './transform.ts'
import { packageTypeOf } from './package-type.ts'

const COMMONJS = new Set(['.cjs', '.cts'])
// Node's CommonJS module cache, by real path: a route file found there with `exports` equal to its
// namespace's `default` was loaded as CommonJS, whatever its extension.
const requireCache = createRequire(import.meta.url).cache

/** Puts a route folder into the process's route graph, before any of its files is imported. */
export function prepareLoading(spec: FolderSpec, files: readonly string[]): void {
  routeGraph().addFolder(spec, scopeOf(spec.dir))
  // Compiled files carry inline source maps: stack traces and load errors then name the lines of
  // the TypeScript the user wrote (as tsx and `next dev` do). Not for all-JavaScript folders,
  // where mapping would only cost.
  if (files.some(isCompiled)) process.setSourceMapsEnabled(true)
}

/**
 * Starts compiling the TypeScript route files the transform cache lacks, many at once and in the
 * order given (a cold cache costs esbuild's throughput rather than a round trip per file); await
 * the returned function's promise for a file before importing it, and the import finds it cached.
 * Those promises never reject: a file that does not compile fails when it is imported.
 */
export function compileAhead(spec: FolderSpec, files: readonly string[]): CompiledAhead {
  return precompileRouteFiles(routeGraph().addFolder(spec, scopeOf(spec.dir)), files)
}

/** Removes the transform cache's week-old unused entries, once a day at most (in the background). */
export function sweepTransformCache(spec: FolderSpec): Promise<void> {
  return routeGraph().addFolder(spec, scopeOf(spec.dir)).cache.sweep()
}

/**
 * Whether the route graph of `spec`'s folder may load `next/headers` (or `next/navigation`,
 * `next/cache`) only inside a request, after the request store's on-or-off was settled; the
 * router then turns the store on. That is a project file naming one of them (an
 * `await import('next/headers')` in a handler, a helper's too), or a library made for Next.js: a
 * package that depends on `next` (next-auth, `@clerk/nextjs`, …), such as next-auth v4, whose
 * `getServerSession()` requires `next/headers` when called.
 */
export function needsRequestStore(spec: FolderSpec): boolean {
  const graph = routeGraph()
  const folder = graph.addFolder(spec, scopeOf(spec.dir))
  if (graph.usesRequestApi(folder)) return true
  const roots = new Set<string>()
  for (const url of graph.packageFilesOf(folder)) {
    const root = packageRoot(fileURLToPath(withoutQuery(url)))
    if (root !== undefined) roots.add(root)
  }
  for (const root of roots) if (dependsOnNext(root)) return true
  return false
}

// Files the graph compiles as ES modules and a TypeScript loader (tsx) compiles for `require()`.
const COMPILED_TWICE = new Set(['.ts', '.tsx', '.jsx'])

/**
 * The project files outside the route folder that `spec`'s graph compiled and imported as ES
 * modules, which a TypeScript loader (tsx) would compile again for a `require()`: by path, with
 * the URL the graph imported each under. (A module only the graph's own `require()` loaded is one
 * instance already.)
 */
export function importedProjectFiles(spec: FolderSpec): Map<string, string> {
  const graph = routeGraph()
  const files = new Map<string, string>()
  for (const url of graph.outsideFilesOf(graph.addFolder(spec, scopeOf(spec.dir)))) {
    const path = fileURLToPath(withoutQuery(url))
    if (COMPILED_TWICE.has(extname(path)) && graph.wasImported(withoutQuery(url))) files.set(path, url)
  }
  return files
}

/**
 * Of {@link importedProjectFiles}, those CommonJS code had also `require()`d as a module of its
 * own: a CommonJS TypeScript app run with tsx, whose `lib/db.ts` tsx compiled for the app, and the
 * graph again for the route files. Only on Node 20 and 22 before 22.15, where the graph's imports
 * load on the hooks thread, which cannot see this thread's `require()` cache (newer lines give the
 * route files the app's instance). Each is two instances: two connection pools, two caches.
 */
export function filesLoadedTwice(spec: FolderSpec): string[] {
  if (registerHooks) return []
  const twice: string[] = []
  for (const path of importedProjectFiles(spec).keys()) {
    const exported = requireCache[path]?.exports as unknown
    // A namespace is Node's `require()` of the ES module itself: one instance.
    if (exported !== undefined && Object.prototype.toString.call(exported) !== '[object Module]') twice.push(path)
  }
  return twice
}

// `/app/node_modules/@scope/name/lib/x.js` → `/app/node_modules/@scope/name`.
function packageRoot(path: string): string | undefined {
  const marker = `${sep}node_modules${sep}`
  const start = path.lastIndexOf(marker)
  if (start === -1) return undefined
  const names = path.slice(start + marker.length).split(sep)
  const nameLength = names[0]!.startsWith('@') ? 2 : 1
  return join(path.slice(0, start + marker.length), ...names.slice(0, nameLength))
}

function dependsOnNext(root: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown; dependencies?: Record<string, unknown>; peerDependencies?: Record<string, unknown> }
    return manifest.name !== 'next' && (manifest.peerDependencies?.next !== undefined || manifest.dependencies?.next !== undefined)
  } catch {
    // No manifest there (a nested folder of the package's own): nothing to say.
    return false
  }
}

// Where a syntax error V8 did not place may be: the route file, then the project files its folder's
// graph has reached (the failing import among them).
function scriptsOf(file: string): string[] {
  const graph = routeGraph()
  const folder = graph.folderOf(pathToFileURL(file).href)
  const reached = folder === undefined ? [] : graph.outsideFilesOf(folder).map((url) => fileURLToPath(withoutQuery(url)))
  return [file, ...reached.filter((path) => path !== file)]
}

// Node imports a route file by its real path: a folder reached through a symlink (a deploy's
// `current -> releases/42`) is in scope under its real path.
function scopeOf(folder: string): string {
  const dir = realpathSync.native(folder)
  return pathToFileURL(dir.endsWith(sep) ? dir : `${dir}${sep}`).href
}

/** A route file to load, with dev reload's version of it (0: as first loaded). */
export interface RouteModuleFile {
  file: string
  version: number
}

/** How many route files {@link loadRouteModulesTogether} is given at a time (see there). */
export const ROUTE_FILES_TOGETHER = 32

/**
 * Whether a route file may load in a batch ({@link loadRouteModulesTogether}): one that runs as an
 * ES module. A CommonJS route file (`.cjs`, `.cts`, a `.js` without `import`/`export` outside a
 * `"type": "module"` package) loads alone, at its place in the order: a throw at its top level, as
 * a batch's dependency, is an unhandled rejection that ends the process on Node 20; and what it
 * require()s must be what one at a time gives it (under tsx, a TypeScript module it requires is
 * then the instance the later route files import).
 */
export function loadsInBatch(file: string): boolean {
  const extension = extname(file)
  if (extension === '.cjs' || extension === '.cts') return false
  // TypeScript, JSX and `.mjs` are ES modules here whatever the package's type.
  if (extension !== '.js' || packageTypeOf(dirname(file)) === 'module') return true
  // The module hooks' own test for a `.js` file (load-plan.ts): ES module syntax makes it one.
  try {
    return hasModuleSyntax(readFileSync(file, 'utf8'))
  } catch {
    // Unreadable: loaded alone, which reports it.
    return false
  }
}

/**
 * Loads route files together, through one module that re-exports each file's namespace in the
 * order given. Node then resolves, reads and links every module of the batch before it runs any,
 * and runs the files one after another in one go. One at a time, each resolution and read is a
 * round trip of its own to the module hooks, on Node 20 to their thread and back: loading 5,000
 * all-JavaScript route files on one core took 3.2–3.5 s of CPU that way, 2.2–2.4 s together (Node
 * 24, hooks in-thread: 1.2–1.6 s and 1.05–1.1 s).
 *
 * What differs from one at a time: the files of a batch run in one go, so promise callbacks a
 * file's top level schedules, and the rest of a file after a top-level `await`, run once the later
 * files of its batch have started. A CommonJS module that require()s an ES module of the batch
 * finds it linked, and Node runs it there and then, as one at a time would. Concurrent `import()`s
 * would not do: Node refuses to require() a module another import is still reading ("not yet
 * fully loaded").
 *
 * Returns each file's exports, or undefined when any file of the batch failed to load: the caller
 * then loads them one at a time, which gives the files that loaded (Node's instances, cached) and
 * names the failing file with its own error. A batch that failed to link leaves the modules it read
 * unlinked in Node's cache, where a require() of one is refused ("not yet fully loaded") until an
 * import links it: each file is linked first, alone and run by nothing (see LINK_ONLY), so that
 * a CommonJS library the next file runs finds the ES modules it requires as one at a time would.
 */
export async function loadRouteModulesTogether(files: readonly RouteModuleFile[]): Promise<Record<string, unknown>[] | undefined> {
  // The hooks make the module (graph-steps.ts): installed first.
  routeGraph()
  const urls = files.map(({ file, version }) => versionedUrl(pathToFileURL(file).href, version))
  let batch: Record<string, Record<string, unknown>>
  try {
    batch = (await import(togetherUrl(urls))) as Record<string, Record<string, unknown>>
  } catch (error) {
    expectDuplicateRejection(error)
    for (const url of urls) await linkOnly(url)
    return undefined
  }
  return files.map(({ file }, index) => routeExports(batch[`r${index}`]!, file))
}

// Always rejects: with LINK_ONLY's throw once the file's modules are linked, else with the file's
// own error, which it gives again when loaded alone.
function linkOnly(url: string): Promise<unknown> {
  return import(togetherUrl([LINK_ONLY, url])).catch((error: unknown) => {
    expectDuplicateRejection(error)
    return error
  })
}

/**
 * Loads one route file and returns its exports (see {@link routeExports}).
 * `version`: dev reload's, for a file that changed since it was first loaded (reload.ts).
 */
export async function loadRouteModule(file: string, relativeFile: string, version = 0): Promise<Record<string, unknown>> {
  let namespace: Record<string, unknown>
  try {
    namespace = (await import(versionedUrl(pathToFileURL(file).href, version))) as Record<string, unknown>
  } catch (error) {
    expectDuplicateRejection(error)
    const described = describeLoadError(error, file, () => scriptsOf(file))
    const message = isStaleLinkFailure(error) && earlierFailures.length > 0 ? staleLinkExplained(described) : described
    earlierFailures.push(`"${relativeFile}": ${described.split('\n')[0]}`)
    if (earlierFailures.length > EARLIER_FAILURES_KEPT) earlierFailures.shift()
    throw routeHandlersError('RH_ERR_ROUTE_LOAD', [relativeFile, message], { cause: error })
  }
  return routeExports(namespace, file)
}

// Node 20 cannot link a module whose graph holds one that failed to link before (a route file
// importing another route file that is broken), and says only "request for '@/lib/log' is not in
// cache", naming a module that is fine: the route files that failed before are named, the real
// cause among them. Node 22 and later report the real cause again.
const EARLIER_FAILURES_KEPT = 3
const earlierFailures: string[] = []

function staleLinkExplained(described: string): string {
  return (
    `${described} (Node 20's words for a module it imports, directly or through others, that failed to load before; ` +
    `the route files that failed before: ${earlierFailures.join('; ')})`
  )
}

/**
 * Loads a project file that is no route file (the `instrumentation` file) as a module of `spec`'s
 * graph: compiled, aliased and resolved as route files are, and one instance with what they import.
 * Rejects with what the import threw.
 */
export async function loadGraphModule(spec: FolderSpec, file: string): Promise<Record<string, unknown>> {
  const graph = routeGraph()
  const url = pathToFileURL(realpathSync.native(file)).href
  graph.addMember(url, graph.addFolder(spec, scopeOf(spec.dir)))
  try {
    return routeExports((await import(url)) as Record<string, unknown>, file)
  } catch (error) {
    expectDuplicateRejection(error)
    throw error
  }
}

/**
 * A route file's exports from its namespace. CommonJS files (`.cjs`, `.cts`, and `.js` in a
 * package without `"type": "module"`) may put handlers on `module.exports`; Node exposes that
 * object as `default` (and, from Node 23, as `module.exports`), and finds only the names its lexer
 * sees as named exports. So a CommonJS file's exports are the properties of `module.exports`, with
 * no `default` standing for the whole object: that is no default export the author wrote.
 */
function routeExports(namespace: Record<string, unknown>, file: string): Record<string, unknown> {
  const moduleExports = namespace.default
  if (typeof moduleExports !== 'object' || moduleExports === null) return namespace
  if (!COMMONJS.has(extname(file)) && requireCache[file]?.exports !== moduleExports) return namespace
  const { default: _whole, 'module.exports': _same, ...named } = namespace
  return { ...(moduleExports as Record<string, unknown>), ...named }
}
