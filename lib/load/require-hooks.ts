import { readFileSync } from 'node:fs'
import Module from 'node:module'
import { isAbsolute } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { missingPaths, noteRequestApi } from './graph-steps.ts'
import { resolveInGraph } from './resolve-in-graph.ts'
import type { RouteGraph } from './route-graph.ts'
import { compileSync } from './transform.ts'
import { processGlobal } from '../process-global.ts'

interface CommonJsModule {
  filename?: string | null
  _compile(source: string, filename: string): void
}
type ResolveFilename = (request: string, parent: CommonJsModule | undefined, ...rest: unknown[]) => string
type CompileExtension = (module: CommonJsModule, filename: string) => void
const CommonJs = Module as unknown as { _resolveFilename: ResolveFilename; _extensions: Record<string, CompileExtension> }

/**
 * Node 20 and 22 before 22.15: the `require()` side of the route graph, which Node's off-thread
 * hooks do not see. `Module._resolveFilename` gets the graph's aliases and resolution; TypeScript
 * required by CommonJS code of the graph compiles to CommonJS (on these lines a TypeScript file
 * both required and imported is loaded once for each).
 */
export function installRequireHooks(graph: RouteGraph): void {
  const resolveFilename = CommonJs._resolveFilename
  CommonJs._resolveFilename = function resolveInRouteGraph(this: unknown, request, parent, ...rest) {
    const parentUrl = parent?.filename ? pathToFileURL(parent.filename).href : undefined
    const folder = parentUrl === undefined ? undefined : graph.folderOf(parentUrl)
    if (!folder) return resolveFilename.call(this, request, parent, ...rest)
    const alias = folder.aliases[request]
    if (alias !== undefined) return fileURLToPath(alias)
    const url = folder.fileAliases[request] ?? resolveInGraph(request, parentUrl!, folder)
    let resolved: string
    try {
      resolved = url === undefined ? resolveFilename.call(this, request, parent, ...rest) : fileURLToPath(url)
    } catch (error) {
      if (folder.reload) graph.addUnresolved(parentUrl!, missingPaths(request, parentUrl!, folder))
      throw error
    }
    if (isAbsolute(resolved)) {
      graph.addMember(pathToFileURL(resolved).href, folder)
      if (folder.reload) graph.addImport(pathToFileURL(resolved).href, parentUrl!)
    }
    return resolved
  }
  for (const extension of ['.ts', '.tsx', '.cts', '.jsx']) {
    const loaderBefore = CommonJs._extensions[extension]
    const previous = loaderBefore ?? CommonJs._extensions['.js']!
    const compileInRouteGraph: CompileExtension = function (module, filename) {
      const folder = graph.folderOf(pathToFileURL(filename).href)
      if (!folder) return previous(module, filename)
      const source = readFileSync(filename, 'utf8')
      noteRequestApi(graph, folder, source)
      module._compile(compileSync(filename, source, folder, 'commonjs').source, filename)
    }
    if (loaderBefore === undefined) graphOnlyHandlers.add(compileInRouteGraph)
    CommonJs._extensions[extension] = compileInRouteGraph
  }
}

// The handlers above that stand in for no loader of the app's: without them, the app could not
// `require()` TypeScript at all (shared by every copy of the package).
const graphOnlyHandlers = processGlobal('graph-only-extension-handlers', () => new WeakSet<object>())

/**
 * Whether `handler` (a `require.extensions` entry) is this package's own, installed where the app
 * had no TypeScript loader: the app's code does not `require()` TypeScript through it.
 */
export function isGraphOnlyHandler(handler: object): boolean {
  return graphOnlyHandlers.has(handler)
}
