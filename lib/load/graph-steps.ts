import { createRequire } from 'node:module'
import { dirname, extname, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { withAssetUrls } from './assets.ts'
import { commonJsFacade, jsonFacade, needsInterop, requiredInstanceFacade } from './commonjs-facade.ts'
import type { FolderConfig } from './folder-config.ts'
import { isRequire, loadPlan, type LoadContextLike, type LoadPlan } from './load-plan.ts'
import { hasModuleSyntax } from './module-syntax.ts'
import { findPackageFile, installedPackageFolder, resolveInGraph } from './resolve-in-graph.ts'
import { withoutQuery, type RouteGraph } from './route-graph.ts'
import { withCommonJsGlobals } from './commonjs-globals.ts'
import { formatOf, withUseCache, type Compiled } from './transform.ts'
import { packageTypeOf } from './package-type.ts'

/**
 * The decisions both hook flavours share (in-thread and synchronous on newer Node lines, off-thread
 * and asynchronous on older ones); each flavour only adds its own way of reading and compiling.
 */

// Imports of the graph that Next's bundler answers differently from Node get a URL of their own,
// so the host app importing the same file keeps Node's answer whoever came first. Both load an ES
// module that require()s the file: the data or module stays one instance.
const JSON_IMPORT = '?route-handlers=json'
const INTEROP_IMPORT = '?route-handlers=interop'
const STYLESHEETS = new Set(['.css', '.scss', '.sass', '.less'])
// `import wasm from './x.wasm?module'`: Next's edge bundler's import of a compiled WebAssembly module
// (@vercel/og's edge build, @dqbd/tiktoken/lite, @resvg/resvg-wasm, @jsquash codecs).
const WASM_MODULE = '?module'
// Dev reload: a changed module, and each module that imports it, loads again under a new URL
// (Node never unloads an ES module; a new URL is a new instance).
const VERSION = /[?&]route-handlers-v=\d+$/
// Route files loaded together (load-route-module.ts): a module made here that re-exports each
// file's namespace. Its URL names the files, so the thread that answers the loader can make it;
// not a `data:` URL, whose imports tsx resolves as its own CommonJS.
const TOGETHER = 'file:///route-handlers-together?urls='

/** The URL of a module that re-exports the namespace of each of `urls`, as `r0`, `r1`… in order. */
export function togetherUrl(urls: readonly string[]): string {
  return TOGETHER + encodeURIComponent(JSON.stringify(urls))
}

/**
 * First among a together module's files, a module that throws when run: Node resolves, reads and
 * links the files after it, and runs none of them.
 */
export const LINK_ONLY = 'file:///route-handlers-link-only'

function togetherSource(url: string): string {
  const urls = JSON.parse(decodeURIComponent(url.slice(TOGETHER.length))) as string[]
  return urls.map((file, index) => `export * as r${index} from ${JSON.stringify(file)};`).join('\n')
}

/** `url` with the version dev reload gave its file, if any. */
export function versionedUrl(url: string, version: number): string {
  return version === 0 ? url : `${url}${url.includes('?') ? '&' : '?'}route-handlers-v=${version}`
}

/**
 * For a resolution: one of this package's modules (`next/server`…), a file the graph found, Node's
 * answer (to pass through {@link graphUrl}), or none of ours.
 */
export type ResolveStep =
  | { kind: 'outside' }
  | { kind: 'alias'; url: string }
  | { kind: 'file'; url: string }
  | { kind: 'node'; folder: FolderConfig }

export function resolveStep(graph: RouteGraph, specifier: string, parentUrl: string | undefined, context: LoadContextLike): ResolveStep {
  if (specifier.startsWith(TOGETHER) || specifier === LINK_ONLY) return { kind: 'file', url: specifier }
  // The route files a together module imports resolve as if imported one by one, from outside.
  const parent = parentUrl === undefined || parentUrl.startsWith(TOGETHER) ? undefined : withoutQuery(parentUrl)
  const folder = parent === undefined ? undefined : graph.folderOf(parent)
  // A route file loaded again by dev reload: its URL is final (other loaders, tsx among them,
  // would read the query as theirs).
  if (!folder && VERSION.test(specifier) && specifier.startsWith('file:') && graph.folderOf(withoutQuery(specifier))?.reload) {
    return { kind: 'file', url: specifier }
  }
  if (!folder) return { kind: 'outside' }
  const alias = folder.aliases[specifier]
  // This package's own modules are not part of the graph: they import nothing from Next.js.
  if (alias !== undefined) return { kind: 'alias', url: alias }
  // The app's own aliases (`resolveAlias`) name files of the graph, for its packages too
  // (next-intl imports `next-intl/config`, which Next's plugin for it maps to `i18n/request.ts`).
  const fileAlias = folder.fileAliases[specifier]
  if (fileAlias !== undefined) return { kind: 'file', url: graphUrl(graph, fileAlias, undefined, folder, context, parent) }
  const url = resolveInGraph(specifier, parent!, folder)
  if (url === undefined) return { kind: 'node', folder }
  return { kind: 'file', url: graphUrl(graph, url, undefined, folder, context, parent) }
}

/**
 * The export conditions a package import of the graph resolves with: the importer's, plus
 * `react-server`, as Next's bundler resolves route handlers (next-intl keeps `getTranslations` for
 * the server under it, and answers "not supported in Client Components" without it). React keeps
 * its regular build: no React Server Components renderer runs here, and `react-dom/server` throws
 * under that condition. `undefined`: the conditions as they are (a path, a `node:` module, React).
 */
export function graphConditions(specifier: string, conditions: readonly string[] | undefined): string[] | undefined {
  if (conditions === undefined || conditions.includes(REACT_SERVER) || !isPackageSpecifier(specifier) || REACT_PACKAGE.test(specifier)) return undefined
  return [...conditions, REACT_SERVER]
}

const REACT_SERVER = 'react-server'
const REACT_PACKAGE = /^react(?:-dom)?(?:\/|$)/

function isPackageSpecifier(specifier: string): boolean {
  return !/^(?:\.{0,2}\/|\.{1,2}$|[a-z][a-z0-9+.-]*:)/i.test(specifier)
}

/**
 * Where Next's bundler finds an import Node's resolver refused: a file of a package named without
 * its extension (`lodash/debounce`) or a folder of one (`date-fns/locale`, its `index.js` or its
 * `package.json` `main`), in a package without an `exports` map; what `require()` finds there, or
 * else the TypeScript a workspace package ships as its source (`@acme/lib/constants`, see
 * `findPackageFile`). `undefined` when that finds nothing either, or Node refused it for another
 * reason.
 */
export function bundlerResolution(error: unknown, specifier: string, parentUrl: string | undefined): string | undefined {
  const code = (error as { code?: string } | null)?.code
  const wasmModule = specifier.endsWith(`.wasm${WASM_MODULE}`)
  // A package's `x.wasm?module`: Node looks for a file named with the query, which an `exports` map
  // does not name either (@resvg/resvg-wasm exports `./index_bg.wasm`).
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT' && !(wasmModule && code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')) return undefined
  if (parentUrl === undefined || !parentUrl.startsWith('file:') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined
  if (!wasmModule) return requireResolution(specifier, parentUrl)
  // The file without the query, then marked.
  const found = requireResolution(specifier.slice(0, -WASM_MODULE.length), parentUrl)
  return found === undefined ? undefined : found + WASM_MODULE
}

function requireResolution(specifier: string, parentUrl: string): string | undefined {
  try {
    return pathToFileURL(createRequire(parentUrl).resolve(specifier)).href
  } catch {
    return findPackageFile(specifier, fileURLToPath(withoutQuery(parentUrl)))
  }
}

// A bare specifier that could name a package (`googleapis`, `@scope/pkg/sub`), not one of the
// aliases projects write for their own folders (`@/lib`, `~/lib`, `#lib`).
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/|$)/i

/**
 * What an import that did not resolve throws. One that tsconfig `paths` maps (`@/lib/missing`)
 * names the files the mapping gave, where Node alone would report a missing package `@/lib`,
 * which reads as a broken alias rather than a missing file.
 */
export function unresolvedError(error: unknown, specifier: string, parentUrl: string | undefined, folder: FolderConfig): unknown {
  if ((error as { code?: string } | null)?.code !== 'ERR_MODULE_NOT_FOUND' && (error as { code?: string } | null)?.code !== 'MODULE_NOT_FOUND') return error
  const mapped = folder.paths?.(specifier) ?? []
  if (mapped.length === 0 || parentUrl === undefined || !parentUrl.startsWith('file:')) return error
  const importer = fileURLToPath(withoutQuery(parentUrl))
  const packageName = PACKAGE_NAME.test(specifier)
  // An installed package whose entry is missing (a workspace package not built yet): Node's own
  // message names the file it looked for; the mapping is beside the point.
  if (packageName && installedPackageFolder(specifier, importer) !== undefined) return error
  // A package name that `baseUrl` (or a broad pattern) maps too: most likely a package not installed.
  const notInstalled = packageName ? 'no package of that name is installed, and ' : ''
  return Object.assign(
    new Error(
      `Cannot find module '${specifier}' imported from ${importer}: ${notInstalled}the tsconfig (\`paths\`, \`baseUrl\`) maps it to ${mapped.join(', ')}, ` +
        `and no file is there${notInstalled ? ' either' : ''} (with an extension, or as a folder's index).`,
      { cause: error },
    ),
    { code: (error as { code: string }).code },
  )
}

/**
 * Dev reload: a project module whose import failed is imported again once a file is added, and
 * the folders the missing file would be in are watched from the nearest one that exists (see
 * dev-reload.ts), wherever they are.
 */
export function unresolved(graph: RouteGraph, specifier: string, parentUrl: string | undefined, folder: FolderConfig): void {
  if (!parentUrl?.startsWith('file:') || !graph.folderOf(withoutQuery(parentUrl))?.reload) return
  graph.addUnresolved(withoutQuery(parentUrl), missingPaths(specifier, parentUrl, folder))
}

/** Where a file an import names would be: a relative or absolute path, or what tsconfig `paths` maps a name to. */
export function missingPaths(specifier: string, parentUrl: string, folder: FolderConfig): string[] {
  if (/^\.{1,2}\/|^\/|^file:/.test(specifier)) {
    try {
      return [fileURLToPath(new URL(specifier, parentUrl))]
    } catch {
      return []
    }
  }
  return folder.paths?.(specifier) ?? []
}

/**
 * Records a module the graph reached, and gives the URL to load it by: its own, or one marked for
 * a JSON import without attributes or Next's default-import interop of `__esModule` CommonJS.
 */
export function graphUrl(
  graph: RouteGraph,
  url: string,
  format: string | null | undefined,
  folder: FolderConfig,
  context: LoadContextLike,
  parentUrl: string | undefined,
): string {
  if (!url.startsWith('file:')) return url
  const file = withoutQuery(url)
  graph.addMember(file, folder)
  if (folder.reload && parentUrl !== undefined) graph.addImport(file, withoutQuery(parentUrl))
  // require() has its own cache, which dev reload empties of changed files (reload.ts).
  if (file !== url || isRequire(context)) return url
  const marked = markedUrl(file, format, context, parentUrl)
  return folder.reload ? versionedUrl(marked, graph.versionOf(file)) : marked
}

function markedUrl(file: string, format: string | null | undefined, context: LoadContextLike, parentUrl: string | undefined): string {
  const path = fileURLToPath(file)
  const extension = extname(path)
  if (extension === '.json') return context.importAttributes?.type === undefined ? file + JSON_IMPORT : file
  const commonJs = extension === '.cjs' || (extension === '.js' && (format === 'commonjs' || format == null))
  return commonJs && !isStrictEsModule(parentUrl) && needsInterop(path) ? file + INTEROP_IMPORT : file
}

/**
 * Whether the importer is a strict ES module (`.mjs`, or `.js` in a `"type": "module"` package),
 * whose default import of CommonJS is the whole `module.exports` in Node and in webpack alike,
 * `__esModule` or not: tslib's ES module entry imports its CommonJS build, marked `__esModule`,
 * that way, and the bundler's interop would give it `undefined`.
 */
function isStrictEsModule(parentUrl: string | undefined): boolean {
  if (parentUrl === undefined || !parentUrl.startsWith('file:')) return false
  const parent = fileURLToPath(withoutQuery(parentUrl))
  const extension = extname(parent)
  return extension === '.mjs' || (extension === '.js' && packageTypeOf(dirname(parent)) === 'module')
}

/** A module whose default export is the file's compiled `WebAssembly.Module`, as Next's bundler makes it. */
function wasmModuleSource(path: string): string {
  return `import { readFileSync } from 'node:fs';\nexport default new WebAssembly.Module(readFileSync(${JSON.stringify(path)}));\n`
}

/**
 * For a load: Node's own loading; CommonJS TypeScript reached by `import` (answered with a facade
 * that require()s it, so the `require()` side compiles it and keeps its `require()` calls hooked);
 * a module made here (the marked imports above, route files loaded together, and a facade for a
 * file CommonJS code has already required: that instance, not a second one); or a file to read for
 * `plan`.
 */
export type LoadStep =
  | { kind: 'node' }
  | { kind: 'package' }
  | { kind: 'commonjs'; path: string; folder: FolderConfig }
  | { kind: 'made'; source: string }
  | { kind: 'read'; path: string; folder: FolderConfig; plan: Exclude<LoadPlan, 'node'> }

export function loadStep(graph: RouteGraph, versioned: string, context: LoadContextLike): LoadStep {
  if (versioned.startsWith(TOGETHER)) return { kind: 'made', source: togetherSource(versioned) }
  if (versioned === LINK_ONLY) return { kind: 'made', source: 'throw Symbol.for("route-handlers.link-only")' }
  const url = versioned.replace(VERSION, '')
  const file = withoutQuery(url)
  if (url.endsWith(JSON_IMPORT)) return { kind: 'made', source: jsonFacade(fileURLToPath(file)) }
  if (url.endsWith(INTEROP_IMPORT)) return { kind: 'made', source: commonJsFacade(fileURLToPath(file)) }
  if (url.endsWith(WASM_MODULE) && file.endsWith('.wasm') && file.startsWith('file:')) return { kind: 'made', source: wasmModuleSource(fileURLToPath(file)) }
  const folder = file.startsWith('file:') ? graph.folderOf(file) : undefined
  if (!folder) return { kind: 'node' }
  const path = fileURLToPath(file)
  // A stylesheet a module imports for its side effect (Payload's generated routes import
  // '@payloadcms/next/css'): Next's bundler collects it for pages and a route handler needs
  // nothing of it; Node cannot load it. An empty module, `{}` for a CSS module's class names.
  if (STYLESHEETS.has(extname(path))) return { kind: 'made', source: 'export default {};' }
  const plan = loadPlan(path, context)
  if (plan === 'node') return path.includes(`${sep}node_modules${sep}`) ? { kind: 'package' } : { kind: 'node' }
  if (!isRequire(context)) {
    const required = requiredInstanceFacade(path)
    if (required !== undefined) return { kind: 'made', source: required }
    if (plan === 'compile' && formatOf(path) === 'commonjs') return { kind: 'commonjs', path, folder }
  }
  return { kind: 'read', path, folder, plan }
}

// The modules whose loading turns the request store on (they call useRequestStore()), named as a
// string in the source: an `import('next/headers')` after an `await` would load it too late for
// the first request, so a project file that names one turns the store on once route files load.
const REQUEST_API = /['"`](?:next|route-handlers)\/(?:headers|navigation|cache)(?:\.js)?['"`]/

/** Notes, from a project file's source, whether `folder`'s graph needs the request store. */
export function noteRequestApi(graph: RouteGraph, folder: FolderConfig, source: string): void {
  if (REQUEST_API.test(source)) graph.addRequestApiUser(folder)
}

/** What a load hook's `nextLoad` gives, as far as {@link packageModule} reads it. */
export interface NodeLoadResult {
  format?: string | null | undefined
  source?: string | ArrayBuffer | NodeJS.TypedArray | null | undefined
}

/**
 * A package's file in the graph (at `url`), as Node loaded it: an ES module that calls `require()`
 * (or names `__dirname`, `__filename`) as if it were CommonJS — Clerk's ES module build calls
 * `require("server-only")` inside `auth()` — is given them, as Next's bundler gives every server
 * module, where Node would throw `require is not defined`. The files it names as
 * `new URL('./font.ttf', import.meta.url)` are noted as assets (assets.ts: @vercel/og's edge build
 * fetches its font so). Anything else is left as it is.
 */
export function packageModule<R extends NodeLoadResult>(graph: RouteGraph, url: string, result: R): R {
  if (result.format !== 'module' || result.source == null) return result
  const bytes = typeof result.source === 'string' ? undefined : toBuffer(result.source)
  if (bytes !== undefined && !COMMONJS_GLOBALS.some((name) => bytes.includes(name)) && !bytes.includes(IMPORT_META_URL)) return result
  const source = bytes === undefined ? (result.source as string) : bytes.toString('utf8')
  // Noted only: tsconfig `paths` are the project's, not a package's.
  withAssetUrls(graph, fileURLToPath(withoutQuery(url)), source)
  const given = withCommonJsGlobals(source)
  return given === source ? result : { ...result, source: given }
}

const COMMONJS_GLOBALS = ['require', '__dirname', '__filename']
const IMPORT_META_URL = 'import.meta.url'

function toBuffer(source: ArrayBuffer | NodeJS.TypedArray): Buffer {
  return source instanceof ArrayBuffer ? Buffer.from(source) : Buffer.from(source.buffer, source.byteOffset, source.byteLength)
}

/**
 * The load result for a file read under `plan` (`compiled` for the `compile` plan), or null for
 * Node's own loading.
 */
export function loaded(plan: Exclude<LoadPlan, 'node'>, path: string, source: string, compiled?: Compiled): Compiled | null {
  if (plan === 'compile') return compiled!
  if (plan === 'module') return { format: 'module', source: withUseCache(source, path) }
  // A `.js` file with `import`/`export` in a package without `"type"`: to Next's bundler a module
  // like a TypeScript one, given `require`, `__dirname` and `__filename` (100-cims' instrumentation.js
  // calls require("dd-trace")). A strict ES module (`.mjs`, `"type": "module"`) gets none there either.
  return hasModuleSyntax(source) ? { format: 'module', source: withCommonJsGlobals(withUseCache(source, path)) } : null
}
