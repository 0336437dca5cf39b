/**
 * Where a JavaScript syntax error is when V8 did not say. An ES module that fails to parse throws a
 * SyntaxError whose message and stack name no file (Node prints the place only when the error ends
 * the process), and it may be any module the route file imports (`lib/x.js`), not the route file.
 * esbuild parses each candidate in turn, and the first it cannot parse gives its messages: the
 * file, line and column, and the line's text. Only on this failure path, for plain JavaScript
 * (TypeScript is compiled by esbuild already, whose errors say where).
 */
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { compiler } from './transform.ts'

const SCRIPTS = new Set(['.js', '.mjs', '.cjs'])
// A bound on the work of the failure path in a large project.
const MAX_CANDIDATES = 2000

/** esbuild's messages for the first of `files` that does not parse, or `undefined`. */
export function syntaxErrorSite(files: readonly string[]): unknown[] | undefined {
  const esbuild = compiler()
  for (const file of files.filter((candidate) => SCRIPTS.has(extname(candidate))).slice(0, MAX_CANDIDATES)) {
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    try {
      // CommonJS may `return` at its top level; the format keeps esbuild from refusing it.
      esbuild.transformSync(source, { loader: 'js', sourcefile: file, format: extname(file) === '.cjs' ? 'cjs' : undefined, logLevel: 'silent' })
    } catch (error) {
      const errors = (error as { errors?: unknown[] }).errors
      if (Array.isArray(errors) && errors.length > 0) return errors
    }
  }
  return undefined
}
