import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { extname } from 'node:path'

// The lexer's plain-JavaScript build (what `require` gets), loaded with the first module to lex.
let lexer: typeof import('cjs-module-lexer') | undefined
function parse(source: string): { exports: string[]; reexports: string[] } {
  lexer ??= createRequire(import.meta.url)('cjs-module-lexer') as typeof import('cjs-module-lexer')
  return lexer.parse(source)
}

/**
 * Next.js's bundler interop for `import NextAuth from 'next-auth'`: when a CommonJS module marks
 * itself `__esModule` (what Babel and TypeScript emit: next-auth 4, its providers, many SDKs), the
 * default import is `exports.default`; Node gives the whole `module.exports`, and
 * `NextAuth(options)` fails with "is not a function". Returns an ES module that `require()`s the
 * real module (so it stays one instance, shared with CommonJS callers) and exports it as Next
 * does, or null when the module does not mark itself and Node's own interop already agrees.
 */
export function commonJsFacade(path: string, source: string): string | null {
  if (!source.includes('__esModule')) return null
  const names = exportNames(path, source, new Set([path]))
  if (!names.has('__esModule')) return null
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
