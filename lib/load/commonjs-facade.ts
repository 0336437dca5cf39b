import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { extname, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { objectExportNames } from './object-exports.ts'

// The lexer's plain-JavaScript build (what `require` gets), loaded with the first module to lex.
let lexer: typeof import('cjs-module-lexer') | undefined
function parse(source: string): { exports: string[]; reexports: string[] } {
  lexer ??= createRequire(import.meta.url)('cjs-module-lexer') as typeof import('cjs-module-lexer')
  return lexer.parse(source.replace(ARROW_STAR_REEXPORTS, '$1function ($2) {').replace(ARROW_GETTERS, 'get: function () { return $1[$2]; }'))
}

// Rollup's CommonJS output for `export * from 'x'` when it writes arrow functions:
// `Object.keys(node).forEach(k => { if (k !== 'default' && …) exports[k] = node[k]; })`
// (@sentry/nextjs re-exporting @sentry/node, and so `captureException`), or with live bindings
// `Object.defineProperty(exports, k, { enumerable: true, get: () => node[k] })`. Node's lexer knows
// only the `function` forms; webpack's interop reads the real exports. Lexed as those forms.
const ARROW_STAR_REEXPORTS = /(\bObject\.keys\(\s*[\w$]+\s*\)\.forEach\(\s*)\(?\s*([\w$]+)\s*\)?\s*=>\s*\{/g
const ARROW_GETTERS = /\bget:\s*\(\)\s*=>\s*([\w$]+)\[([\w$]+)\]/g
// A module with such a loop that sets `exports[k]` or defines `exports, k` goes through the facade.
const ARROW_STAR_REEXPORT = new RegExp(ARROW_STAR_REEXPORTS.source)

// Export names by file, found once for the resolution that asks and the load that follows; null
// when Node's own import gives what Next's bundler gives (see `needsInterop`).
const lexed = new Map<string, Set<string> | null>()

/** Dev reload: the file at `url` changed, lex it again. */
export function forgetLexed(url: string): void {
  if (url.startsWith('file:')) lexed.delete(fileURLToPath(url))
}

function facadeExportNames(path: string): Set<string> | null {
  let names = lexed.get(path)
  if (names === undefined) {
    // Null while it is worked out: a cycle of re-exports ends there.
    lexed.set(path, null)
    names = findFacadeExportNames(readFileSync(path, 'utf8'), path)
    lexed.set(path, names)
  }
  return names
}

function findFacadeExportNames(source: string, path: string): Set<string> | null {
  const inObjects = objectExportNames(source)
  const marked = source.includes('__esModule')
  const reexportsWithArrows = ARROW_STAR_REEXPORT.test(source) && /\bexports(?:\[|,)/.test(source)
  if (!marked && inObjects.length === 0 && !reexportsWithArrows) return reexportedFacadeNames(path, source)
  const names = lex(path, source)
  if (names === null) return null
  const lexerMissed = inObjects.filter((name) => !names.has(name))
  if (!names.has('__esModule') && lexerMissed.length === 0 && !reexportsWithArrows) return null
  for (const name of lexerMissed) names.add(name)
  return names
}

// `module.exports = require('./dist/bcrypt.js')` (bcryptjs 2's index.js), the file it re-exports
// needing the facade: so does this one, with that file's names and its own (what it adds after,
// `module.exports.extra = …`).
const REEXPORTS_A_REQUIRE = /\bmodule\.exports\s*=\s*require\s*\(/

function reexportedFacadeNames(path: string, source: string): Set<string> | null {
  if (!REEXPORTS_A_REQUIRE.test(source)) return null
  let reexports: string[]
  try {
    reexports = parse(source).reexports
  } catch {
    return null
  }
  const fromTargets = reexportTargets(path, reexports).flatMap((target) => [...(facadeExportNames(target) ?? [])])
  if (fromTargets.length === 0) return null
  const names = lex(path, source)
  return names === null ? null : new Set([...names, ...fromTargets])
}

function lex(path: string, source: string): Set<string> | null {
  try {
    return exportNames(path, source, new Set([path]))
  } catch {
    // Not CommonJS the lexer understands (an ES module, say): Node's own interop applies.
    return null
  }
}

/**
 * True when `import` of this CommonJS file needs Next.js's bundler interop, where Node's answer
 * differs from it:
 * - the module marks itself `__esModule` (what Babel and TypeScript emit: next-auth 4, its
 *   providers, many SDKs), so the default import is `exports.default`, where Node gives the whole
 *   `module.exports` and `NextAuth(options)` fails with "is not a function";
 * - it assigns `module.exports` an object with names Node's lexer misses (see `objectExportNames`),
 *   which a named import would not find;
 * - it re-exports a module in a form Node's lexer misses (see `ARROW_STAR_REEXPORTS`).
 */
export function needsInterop(path: string): boolean {
  return facadeExportNames(path) !== null
}

/**
 * An ES module that `require()`s the CommonJS file (so it stays one instance, shared with every
 * CommonJS caller and with the host app's own imports) and exports it as Next's bundler does.
 */
export function commonJsFacade(path: string): string {
  return requiringFacade(path, facadeExportNames(path) ?? [])
}

/**
 * An ES module that `require()`s `path` and exports `names` of what it gives (but `__esModule`
 * and `default`), its default as Next's bundler gives it: `exports.default` for a module marked
 * `__esModule`, else the whole `module.exports`.
 */
function requiringFacade(path: string, names: Iterable<string>): string {
  const lines = [
    'import { createRequire } from "node:module";',
    `const exported = createRequire(import.meta.url)(${JSON.stringify(path)});`,
    'export default exported.__esModule ? exported.default : exported;',
  ]
  let index = 0
  for (const name of names) {
    if (name === '__esModule' || name === 'default') continue
    lines.push(`const name${index} = exported[${JSON.stringify(name)}]; export { name${index} as ${JSON.stringify(name)} };`)
    index++
  }
  return lines.join('\n')
}

// Node's own way: the names the lexer finds, through `module.exports = require('./x')` re-exports.
function exportNames(path: string, source: string, seen: Set<string>): Set<string> {
  const { exports, reexports } = parse(source)
  const names = new Set(exports)
  for (const target of reexportTargets(path, reexports)) {
    if (seen.has(target)) continue
    seen.add(target)
    for (const name of exportNames(target, readFileSync(target, 'utf8'), seen)) names.add(name)
  }
  return names
}

// The CommonJS files a file's `module.exports = require('./x')` re-exports name, resolved as its
// `require()` resolves them (those that do not resolve, or are no `.js`/`.cjs`, left out).
function reexportTargets(path: string, reexports: readonly string[]): string[] {
  const require = createRequire(path)
  const targets: string[] = []
  for (const specifier of reexports) {
    try {
      const target = require.resolve(specifier)
      if (['.js', '.cjs'].includes(extname(target))) targets.push(target)
    } catch {
      // Node's own import reports what does not resolve.
    }
  }
  return targets
}

/**
 * An ES module for `import` of CommonJS TypeScript (`.cts`): it `require()`s the file (compiled on
 * the `require()` side, where its own `require()` calls stay hooked; one instance) and exports the
 * names esbuild's output assigns, its default as Next's bundler gives it. `compiled` is that output.
 */
export function compiledCommonJsFacade(path: string, compiled: string): string {
  let names: string[]
  try {
    names = parse(compiled).exports
  } catch {
    names = []
  }
  return requiringFacade(path, names)
}

// The thread's CommonJS module cache, by path.
const requireCache = createRequire(import.meta.url).cache

/**
 * For an `import` of a project file that CommonJS code has already `require()`d (a TypeScript app
 * run by tsx as CommonJS: its `lib/db.ts` is in `require.cache`, compiled by tsx), an ES module
 * that gives that same instance, exporting the names it has: compiling the file again as an ES
 * module would make a second instance, a second connection pool. Undefined when the file is not
 * there as CommonJS (an ES module `require()`d is Node's ES module already). Only on the thread
 * that ran the `require()`: on Node 20's hooks thread the cache is another one.
 */
export function requiredInstanceFacade(path: string): string | undefined {
  const cached = requireCache[path]
  const exported = cached?.exports as unknown
  if (exported === undefined || exported === null || Object.prototype.toString.call(exported) === '[object Module]') return undefined
  // That instance was compiled without what the graph adds (review): a `"use cache"` function in it
  // would not be cached, and its `next/headers` would be the real one. Such a module is compiled
  // in the graph as before, a second instance.
  if (!cached!.loaded || !sharesWell(cached!, new Set())) return undefined
  return requiringFacade(path, typeof exported === 'object' ? Object.keys(exported) : [])
}

const NEXT_PACKAGE = /[\\/]node_modules[\\/]next[\\/]/

// Whether a module and those it loaded need nothing of the graph's own: no `"use cache"` in a
// project file, no file of the real `next` package. (`children` lists the modules it was the first
// to load.)
function sharesWell(module: NodeJS.Module, seen: Set<string>): boolean {
  if (seen.has(module.filename)) return true
  seen.add(module.filename)
  if (NEXT_PACKAGE.test(module.filename)) return false
  if (!module.filename.includes(`${sep}node_modules${sep}`) && mentionsUseCache(module.filename)) return false
  return module.children.every((child) => sharesWell(child, seen))
}

function mentionsUseCache(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('use cache')
  } catch {
    return false
  }
}

/**
 * An ES module for an `import` of a JSON file without `with { type: 'json' }`: its default export
 * the object `require()` gives (one instance), and its top-level keys as named exports, as webpack
 * and Turbopack give them (`import { version } from './package.json'`, `import * as pkg`).
 */
export function jsonFacade(path: string): string {
  const lines = ['import { createRequire } from "node:module";', `const data = createRequire(import.meta.url)(${JSON.stringify(path)});`, 'export default data;']
  let index = 0
  for (const name of topLevelKeys(path)) {
    // An export name must be well-formed Unicode; `default` is the data itself.
    if (name === 'default' || LONE_SURROGATE.test(name)) continue
    lines.push(`const key${index} = data[${JSON.stringify(name)}]; export { key${index} as ${JSON.stringify(name)} };`)
    index++
  }
  return lines.join('\n')
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

// A JSON file that does not parse has no names: require() reports it when the facade runs.
function topLevelKeys(path: string): string[] {
  try {
    // `require()` drops a byte order mark; JSON.parse would refuse it.
    const text = readFileSync(path, 'utf8')
    const data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data) : []
  } catch {
    return []
  }
}
