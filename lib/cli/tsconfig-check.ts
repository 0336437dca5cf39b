import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { createFilesMatcher, getTsconfig, parseTsconfig, type TsConfigResult } from 'get-tsconfig'

/**
 * What typegen has to say about the tsconfig that will compile its file: `classic` module
 * resolution (set, or what TypeScript 5 (the project's, or none found) picks when
 * `moduleResolution` is unset beside `module: esnext`), which looks for no package in
 * node_modules, so `route-handlers/next-types` and every other subpath cannot be found and
 * TypeScript says only TS2307/TS2688; `verbatimModuleSyntax` under Node's module kinds for route files
 * a CommonJS package holds, whose `import`/`export` tsc then refuses (TS1287, TS1295) though they
 * load as ES modules here; and a generated file the tsconfig does not include.
 * (`node`/`node10` ignores `exports` too, but reads the package's `typesVersions`.)
 *
 * @example
 * tsconfigNotes('/srv/route-types.d.ts', undefined, '/srv/app') // ['tsconfig.json resolves modules as "classic", …']
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
  if (isClassicResolution(found.config.compilerOptions ?? {}, typescriptMajor(found.path))) {
    notes.push(
      `${name} resolves modules as "classic", which looks for no package in node_modules: there TypeScript cannot find ` +
        'route-handlers/next-types, route-handlers/express or any other subpath (TS2307, TS2688, TS2305), and RouteContext stays ' +
        'undeclared (TS2304). Set "module": "nodenext" (Node resolution), or "module": "esnext" with ' +
        '"moduleResolution": "bundler".',
    )
  }
  const refusal = esmSyntaxRefusal(found.config.compilerOptions ?? {}, routeDir)
  if (refusal !== undefined) {
    notes.push(
      `${name} sets "verbatimModuleSyntax" and ${refusal === 'commonjs' ? '"module": "commonjs"' : 'a Node "module" kind, and the route files\' package.json does not say "type": "module"'}: ` +
        'tsc takes them for CommonJS and reports their import and export (TS1287, TS1295), though they load as ES modules here. ' +
        (refusal === 'commonjs'
          ? 'Leave verbatimModuleSyntax off for them, or set "module": "nodenext" with a package.json of { "type": "module" } for the route folder.'
          : 'Give the route folder a package.json of { "type": "module" }, or leave verbatimModuleSyntax off for them.'),
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
  verbatimModuleSyntax?: boolean
}

// Whether tsc takes the route files for CommonJS, where verbatimModuleSyntax refuses ES module
// syntax: always under `module: commonjs`; under node16/18/20/nodenext when their package.json's
// `type` is not "module" (`tsc --init` sets verbatimModuleSyntax; npm 11's `npm init` writes
// "type": "commonjs").
function esmSyntaxRefusal(options: ModuleOptions, routeDir: string): 'commonjs' | 'package' | undefined {
  if (options.verbatimModuleSyntax !== true) return undefined
  const module = options.module?.toLowerCase() ?? ''
  if (module === 'commonjs') return 'commonjs'
  return /^node(16|18|20|next)$/.test(module) && packageType(routeDir) !== 'module' ? 'package' : undefined
}

/** The `type` of the package.json nearest up from `dir`, if any. */
function packageType(dir: string): unknown {
  for (let current = dir; ; current = dirname(current)) {
    try {
      return (JSON.parse(readFileSync(join(current, 'package.json'), 'utf8')) as { type?: unknown }).type
    } catch {
      // None here (or unreadable): the next one up decides.
    }
    if (dirname(current) === current) return undefined
  }
}

// `typescript`: the major version the project has installed, if found. From TypeScript 6 an unset
// `moduleResolution` reads `exports` whatever `module` says, and TypeScript itself reports a
// `classic` set by hand as deprecated. (get-tsconfig fills in TypeScript 5's default for an unset one.)
function isClassicResolution(options: ModuleOptions, typescript: number | undefined): boolean {
  if (typescript !== undefined && typescript >= 6) return false
  const resolution = options.moduleResolution?.toLowerCase()
  if (resolution !== undefined) return resolution === 'classic'
  // TypeScript 5's default for ES module output without moduleResolution (node10 for commonjs).
  return /^(es\d+|es6|esnext|amd|umd|system)$/.test(options.module?.toLowerCase() ?? 'commonjs')
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
