/**
 * The other half of "one instance, whoever loads it first" for a CommonJS app run with a
 * TypeScript loader (tsx, ts-node): a project file the route graph imported as an ES module at
 * start-up (a `lib/cache.ts` only route files reached then) and `require()`d by the app later
 * (inside a function, a legacy route) gets that module, where the loader would compile the file
 * again as CommonJS: a second instance, a second cache. The other order (the app first) is
 * `requiredInstanceFacade`'s.
 *
 * The loader's `require.extensions` handler for the file's extension is wrapped, once: for a
 * file recorded here it hands back the module's exports as Node's own `require()` of an ES module
 * does (its namespace, marked `__esModule` when it has a default export); for any other file it
 * is called as before. A loader installed after this package replaces the wrapper and keeps the
 * second instance, as before. Under dev reload a changed file is forgotten here (see reload.ts):
 * the app's later `require()` compiles it anew, as without this.
 */
import Module, { createRequire } from 'node:module'
import { extname } from 'node:path'
import { processGlobal } from '../process-global.ts'
import { isGraphOnlyHandler } from './require-hooks.ts'

type CompileExtension = (module: NodeJS.Module, filename: string) => void
const extensions = (Module as unknown as { _extensions: Record<string, CompileExtension | undefined> })._extensions

// By path, for every copy of the package in the process; the extensions wrapped so far.
const shared = processGlobal('require-shared', () => ({ exports: new Map<string, object>(), wrapped: new Set<string>() }))
const requireCache = createRequire(import.meta.url).cache

/**
 * Records the ES module namespaces of `files` (project files the graph imported, by path as
 * Node's `require()` names them, with the URL each was imported under) for a later `require()` of
 * their files. One the app has already `require()`d keeps its own (that is two instances already,
 * said at start-up on Node 20), and one whose evaluation failed is left out (its route files
 * answer 500; a `require()` of it fails on its own). The imports find modules already evaluated:
 * all at once, as the hooks thread of Node 20 answers each resolution in a round trip.
 */
export async function shareWithRequire(files: ReadonlyMap<string, string>): Promise<void> {
  const sharing: Promise<void>[] = []
  for (const [path, url] of files) {
    if (requireCache[path] !== undefined || shared.exports.has(path)) continue
    const extension = extname(path)
    const handler = extensions[extension]
    // No TypeScript loader of the app's for the extension: `require()` is Node's own, whose answer
    // for an ES module is this instance already, or this package's, which the app's code does not
    // reach (nothing to share, nothing to import here at start-up).
    if (handler === undefined || isGraphOnlyHandler(handler)) continue
    sharing.push(
      import(url).then(
        (namespace: object) => {
          shared.exports.set(path, requireView(namespace))
          wrap(extension, handler)
        },
        () => {},
      ),
    )
  }
  await Promise.all(sharing)
}

/** Dev reload: the file changed, and a `require()` of it is the app's own again. */
export function forgetShared(path: string): void {
  shared.exports.delete(path)
}

function wrap(extension: string, handler: CompileExtension): void {
  if (shared.wrapped.has(extension)) return
  shared.wrapped.add(extension)
  extensions[extension] = function compileUnlessShared(this: unknown, module, filename) {
    const exported = shared.exports.get(filename)
    if (exported === undefined) return handler.call(this, module, filename)
    module.exports = exported
  }
}

/**
 * What Node's `require()` of an ES module gives: the namespace, or with a default export a view
 * of it that also says `__esModule` (so `require()` compiled from `import x from` finds `default`),
 * live, and tagged `Module` as the namespace is.
 */
function requireView(namespace: object): object {
  if (!Object.hasOwn(namespace, 'default') || Object.hasOwn(namespace, '__esModule')) return namespace
  const view: Record<string | symbol, unknown> = Object.create(null)
  for (const name of Object.keys(namespace)) {
    Object.defineProperty(view, name, { enumerable: true, get: () => (namespace as Record<string, unknown>)[name] })
  }
  Object.defineProperty(view, '__esModule', { value: true, enumerable: false })
  Object.defineProperty(view, Symbol.toStringTag, { value: 'Module' })
  return Object.freeze(view)
}
