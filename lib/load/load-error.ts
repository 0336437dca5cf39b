import { fileURLToPath } from 'node:url'
import { syntaxErrorSite } from './syntax-error-site.ts'

const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'])

// A `next/*` module this package does not provide (`next/og`, `next/font/google`): with no `next`
// installed, Node names the package `next`, which reads as if none of `next/*` were provided; with
// one installed (npm adds it as a peer of next-auth v4), Node's ES resolver cannot find
// `node_modules/next/og` (Next's files are for its bundler) and suggests `next/og.js`.
const NEXT_MISSING = /Cannot find (?:package|module) '(?:next(?:\/[^']*)?|[^']*[\\/]node_modules[\\/]next[\\/][^']*)'/
const NEXT_HINT =
  'route-handlers provides next/server, next/headers, next/navigation and next/cache; other next/* modules (next/og, next/font, …) come from the packages that implement them (@vercel/og for ImageResponse) or from installing next, as do the next/dist/… internals some libraries import (next-firebase-auth-edge, Kinde).'

// `@/lib/db` (or `~/…`) that no tsconfig `paths` mapped: Node takes `@/lib` for a package. A
// mapped one that finds no file has its own message (see unresolvedError in graph-steps.ts).
const ALIAS_MISSING = /Cannot find package '([@~]\/?[^/']*)'/

function aliasHint(alias: string): string {
  const prefix = alias.startsWith('@/') || alias === '@' ? '@' : alias[0]!
  return (
    `"${prefix}/…" looks like a tsconfig \`paths\` alias, and no tsconfig.json (or jsconfig.json) above the route folder maps it: ` +
    `add "paths": { "${prefix}/*": ["./*"] } to its compilerOptions (create-next-app writes that one), or name the file that does with the \`tsconfig\` option.`
  )
}

interface EsbuildMessage {
  text: string
  /** `line` from 1; `column` from 0, in UTF-8 bytes of `lineText`. */
  location: { file: string; line: number; column: number; lineText: string } | null
}

/** esbuild's messages, when `error` is its failure to compile a file (a syntax error). */
function esbuildMessagesOf(error: unknown): EsbuildMessage[] | undefined {
  const errors = (error as { errors?: unknown } | null)?.errors
  return Array.isArray(errors) && (errors[0] as EsbuildMessage | undefined)?.location ? (errors as EsbuildMessage[]) : undefined
}

/**
 * True when a route file failed to compile: its message (see {@link describeLoadError}) says all
 * there is, and the error's stack is only esbuild's own frames, not worth logging.
 */
export function isCompileError(error: unknown): boolean {
  return esbuildMessagesOf(error) !== undefined || isUnplacedSyntaxError(error)
}

/**
 * True when a route file's import did not resolve: the message names the module and the file
 * importing it, and the stack is only the resolver's and the loader thread's frames.
 */
export function isUnresolvedImport(error: unknown): boolean {
  return NOT_FOUND.has((error as { code?: unknown } | null)?.code as string)
}

/**
 * True for Node 20's failure to link a module whose graph holds a module that failed to link
 * before: `ERR_VM_MODULE_LINK_FAILURE`, "request for '…' is not in cache".
 */
export function isStaleLinkFailure(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_VM_MODULE_LINK_FAILURE' && / is not in cache$/.test((error as Error).message)
}

// A module's source that V8 could not parse: a SyntaxError thrown from Node's own loader frames,
// which name neither the file nor the line (see syntax-error-site.ts).
function isUnplacedSyntaxError(error: unknown): boolean {
  if (!(error instanceof SyntaxError)) return false
  const firstFrame = (error.stack ?? '').split('\n')[1] ?? ''
  return firstFrame.includes('(node:internal/')
}

/**
 * Why a route file failed to load, as `path:line:column: message`: from esbuild for TypeScript
 * syntax errors; for JavaScript ones, from V8's report, or, where it names no place, from the first
 * of `scripts` (the route file, then the project files its graph reached) that esbuild cannot
 * parse; else from the first stack frame.
 */
export function describeLoadError(error: unknown, file: string, scripts: () => readonly string[] = () => [file]): string {
  if (!(error instanceof Error)) return String(error)
  const esbuildErrors = esbuildMessagesOf(error)
  if (esbuildErrors) return describeCompileErrors(esbuildErrors)
  if (isUnplacedSyntaxError(error)) {
    const site = esbuildMessagesOf({ errors: syntaxErrorSite(scripts()) })
    if (site) return describeCompileErrors(site)
  }
  // Node's message for an import that does not resolve names the importing file already.
  if (NOT_FOUND.has((error as { code?: string }).code ?? '')) {
    if (NEXT_MISSING.test(error.message)) return `${error.message}\n${NEXT_HINT}`
    const alias = ALIAS_MISSING.exec(error.message)?.[1]
    return alias === undefined ? error.message : `${error.message}\n${aliasHint(alias)}`
  }
  // Thrown from Node's linking: no frame of it is the user's.
  if (isStaleLinkFailure(error)) return error.message
  const location = syntaxErrorLocation(error) ?? stackLocation(error, file)
  return location ? `${location}: ${error.message}` : error.message
}

/**
 * The first syntax error as `path:line:column: message` and the line with a caret under the column,
 * as Next.js and esbuild show it; then how many more there are.
 */
function describeCompileErrors(errors: EsbuildMessage[]): string {
  const [first] = errors as [EsbuildMessage & { location: NonNullable<EsbuildMessage['location']> }]
  const { file, line, column, lineText } = first.location
  const characters = Buffer.from(lineText).subarray(0, column).toString().length
  const gutter = String(line).length
  const frame = `  ${line} | ${lineText}\n  ${' '.repeat(gutter)} | ${' '.repeat(characters)}^`
  const more = errors.length > 1 ? `\n(and ${errors.length - 1} more syntax error${errors.length === 2 ? '' : 's'} in the file)` : ''
  return `${file}:${line}:${characters + 1}: ${first.text}\n${frame}${more}`
}

// V8 puts a module's syntax error position before the stack: "file:///app/route.js:3\n code\n   ^^^".
function syntaxErrorLocation(error: Error): string | undefined {
  if (!(error instanceof SyntaxError)) return undefined
  const [where, , caret] = (error.stack ?? '').split('\n')
  const found = where?.match(/^(file:\/\/\S+|\/\S+):(\d+)$/)
  if (!found) return undefined
  const column = caret === undefined ? -1 : caret.indexOf('^')
  return `${toPath(found[1]!)}:${found[2]}${column === -1 ? '' : `:${column + 1}`}`
}

// This folder: an error thrown while resolving or loading passes through the loader's own frames.
const LOADER = fileURLToPath(new URL('.', import.meta.url))

// The first frame in the route file, else in any file outside node_modules and the loader.
function stackLocation(error: Error, file: string): string | undefined {
  const frames = [...(error.stack ?? '').matchAll(/(?:\(|at )((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)\)?$/gm)]
  const locations = frames.map((frame) => ({ path: toPath(frame[1]!), line: frame[2], column: frame[3] }))
  const chosen =
    locations.find((location) => location.path === file) ??
    locations.find((location) => !location.path.includes('/node_modules/') && !location.path.startsWith(LOADER))
  return chosen && `${chosen.path}:${chosen.line}:${chosen.column}`
}

function toPath(location: string): string {
  return location.startsWith('file:') ? fileURLToPath(location) : location
}
