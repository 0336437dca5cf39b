import { createRequire } from 'node:module'
import { relative } from 'node:path'
import { createFilesMatcher, getTsconfig, parseTsconfig, type TsConfigResult } from 'get-tsconfig'

/**
 * What typegen has to say about the tsconfig that will compile its file: module resolution that
 * ignores package.json `exports` (`node`/`node10`, `classic`, and what TypeScript 5 (the
 * project's, or none found) picks when `moduleResolution` is unset beside `module: commonjs` or
 * `esnext`), where
 * `route-handlers/next-types` and every other subpath cannot be found and TypeScript says only
 * TS2307/TS2688; and a generated file the tsconfig does not include.
 *
 * @example
 * tsconfigNotes('/srv/route-types.d.ts', undefined, '/srv/app') // ['tsconfig.json resolves modules as "node" (node10), …']
 */
export function tsconfigNotes(outFile: string, tsconfig: string | undefined, routeDir: string): string[] {
  let found: TsConfigResult | null
  try {
    // The tsconfig that compiles the route files (the nearest up from their folder): the one that
    // has to include the file, wherever --out put it.
    found = tsconfig === undefined ? getTsconfig(routeDir) : { path: tsconfig, config: parseTsconfig(tsconfig) }
  } catch (error) {
    // The file is written; what the tsconfig would say about it is a note, not a failure.
    return [`could not read ${tsconfig ?? 'the tsconfig.json'} to check it: ${(error as Error).message}`]
  }
  if (found === null) return []
  const name = relative(process.cwd(), found.path) || found.path
  const notes: string[] = []
  const resolution = legacyResolution(found.config.compilerOptions ?? {}, typescriptMajor(found.path))
  if (resolution !== undefined) {
    notes.push(
      `${name} resolves modules as ${resolution === 'classic' ? '"classic"' : '"node" (node10)'}, which ignores package.json "exports": there TypeScript cannot find ` +
        'route-handlers/next-types, route-handlers/express or any other subpath (TS2307, TS2688), and RouteContext stays ' +
        'undeclared (TS2304). Set "module": "nodenext" (Node resolution), or "module": "esnext" with ' +
        '"moduleResolution": "bundler".',
    )
  }
  if (createFilesMatcher(found)(outFile) === undefined) {
    notes.push(
      `${name} does not include ${relative(process.cwd(), outFile)}: add it to "include" (or "files"), or the route ` +
        'files will not see its types.',
    )
  }
  return notes
}

interface ModuleOptions {
  module?: string
  moduleResolution?: string
}

// `typescript`: the major version the project has installed, if found. From TypeScript 6 an unset
// `moduleResolution` reads `exports` whatever `module` says (node10 and classic are gone).
function legacyResolution(options: ModuleOptions, typescript: number | undefined): string | undefined {
  const resolution = options.moduleResolution?.toLowerCase()
  if (resolution !== undefined) return resolution === 'node' || resolution === 'node10' || resolution === 'classic' ? resolution : undefined
  if (typescript !== undefined && typescript >= 6) return undefined
  const module = options.module?.toLowerCase() ?? 'commonjs'
  if (module === 'commonjs') return 'node10'
  // TypeScript 5's default for ES module output without moduleResolution.
  return /^(es\d+|es6|esnext|amd|umd|system)$/.test(module) ? 'classic' : undefined
}

/** The major version of the TypeScript a project beside `tsconfigPath` has installed, if any. */
function typescriptMajor(tsconfigPath: string): number | undefined {
  try {
    const { version } = createRequire(tsconfigPath)('typescript/package.json') as { version?: unknown }
    const major = typeof version === 'string' ? Number.parseInt(version, 10) : Number.NaN
    return Number.isNaN(major) ? undefined : major
  } catch {
    // Not installed there: what TypeScript 5 would do is what the note says.
    return undefined
  }
}
