import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { extname } from 'node:path'

// The lexer's plain-JavaScript build (what `require` gets), loaded with the first module to lex.
let lexer: typeof import('cjs-module-lexer') | undefined
function parse(source: string): { exports: string[]; reexports: string[] } {
  lexer ??= createRequire(import.meta.url)('cjs-module-lexer') as typeof import('cjs-module-lexer')
  return lexer.parse(source)
}

const marked = new Map<string, boolean>()

/**
 * True when `import x from` this CommonJS file needs Next.js's bundler interop: the module marks
 * itself `__esModule` (what Babel and TypeScript emit: next-auth 4, its providers, many SDKs), so
 * the default import is `exports.default`, where Node gives the whole `module.exports` and
 * `NextAuth(options)` fails with "is not a function".
 */
export function needsInterop(path: string): boolean {
  let answer = marked.get(path)
  if (answer === undefined) {
    const source = readFileSync(path, 'utf8')
    answer = source.includes('__esModule') && lexes(() => exportNames(path, source, new Set([path])).has('__esModule'))
    marked.set(path, answer)
  }
  return answer
}

function lexes(check: () => boolean): boolean {
  try {
    return check()
  } catch {
    // Not CommonJS the lexer understands (an ES module, say): Node's own interop applies.
    return false
  }
}

/**
 * An ES module that `require()`s the CommonJS file (so it stays one instance, shared with every
 * CommonJS caller and with the host app's own imports) and exports it as Next's bundler does.
 */
export function commonJsFacade(path: string): string {
  const names = exportNames(path, readFileSync(path, 'utf8'), new Set([path]))
  names.delete('__esModule')
  names.delete('default')
  const lines = [
    'import { createRequire } from "node:module";',
    `const exported = createRequire(import.meta.url)(${JSON.stringify(path)});`,
    'export default exported.__esModule ? exported.default : exported;',
  ]
  let index = 0
  for (const name of names) {
    lines.push(`const name${index} = exported[${JSON.stringify(name)}]; export { name${index} as ${JSON.stringify(name)} };`)
    index++
  }
  return lines.join('\n')
}

// Node's own way: the names the lexer finds, through `module.exports = require('./x')` re-exports.
function exportNames(path: string, source: string, seen: Set<string>): Set<string> {
  const { exports, reexports } = parse(source)
  const names = new Set(exports)
  const require = createRequire(path)
  for (const specifier of reexports) {
    let target: string
    try {
      target = require.resolve(specifier)
    } catch {
      continue
    }
    if (seen.has(target) || !['.js', '.cjs'].includes(extname(target))) continue
    seen.add(target)
    for (const name of exportNames(target, readFileSync(target, 'utf8'), seen)) names.add(name)
  }
  return names
}

/** An ES module whose default export is what `require()` gives for the file (a JSON file's data). */
export function requireFacade(path: string): string {
  return `import { createRequire } from "node:module";\nexport default createRequire(import.meta.url)(${JSON.stringify(path)});\n`
}
