import { realpathSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createPathsMatcher, getTsconfig, parseTsconfig, type PathsMatcher, type TsConfigJsonResolved } from 'get-tsconfig'
import { routeHandlersError } from '../errors.ts'
import { graphAliases } from './next-aliases.ts'
import { TransformCache, transformCacheDir } from './transform-cache.ts'

/** What a route folder's loading needs to know, made from plain data on any thread. */
export interface FolderSpec {
  /** Absolute path of the route folder. */
  dir: string
  /** The tsconfig.json to use: a path, `false` for none, or unset for the nearest one up from `dir`. */
  tsconfig?: string | false
  /** Where compiled files are kept: the `transformCacheDir` option, else the default places. */
  cacheDir?: string
  /** Dev reload: record who imports what, so a change reloads its importers (reload.ts). */
  reload?: boolean
  /** The `resolveAlias` option: import specifiers and the absolute paths of the files they load. */
  resolveAlias?: Readonly<Record<string, string>>
}

/** The compiler options esbuild reads from a tsconfig when it transforms one file. */
export type TransformOptions = NonNullable<TsConfigJsonResolved['compilerOptions']>

export interface FolderConfig {
  /** `file:` URL of the route folder, ending in `/`: everything under it is in the route graph. */
  readonly scope: string
  /** Specifiers answered by this package for every module of the graph (`next/server`, `server-only`…). */
  readonly aliases: Readonly<Record<string, string>>
  /** Specifiers the app maps to files of its own (`resolveAlias`), as `file:` URLs: modules of the graph. */
  readonly fileAliases: Readonly<Record<string, string>>
  /** tsconfig `paths` (`@/lib/db`) as candidate file paths, or null when the tsconfig has none. */
  readonly paths: PathsMatcher | null
  /**
   * `file:` URL of the tsconfig's folder (real path, ending in `/`), or null without one: its files
   * are the project's even when the project itself sits in a `node_modules` folder (a workspace
   * package copied there by `pnpm deploy`); only a `node_modules` folder below it holds packages.
   */
  readonly projectUrl: string | null
  /** The tsconfig compiler options that change how TypeScript compiles, JSX as Next.js forces it. */
  readonly compilerOptions: TransformOptions
  /** Compiled files kept between runs. */
  readonly cache: TransformCache
  /** Dev reload is on for this folder: imports are recorded and changed modules get versions. */
  readonly reload: boolean
}

// The options esbuild honours in a transform; the rest of a tsconfig does not change the output.
const TRANSFORM_KEYS = [
  'experimentalDecorators', 'useDefineForClassFields', 'verbatimModuleSyntax',
  'preserveValueImports', 'importsNotUsedAsValues', 'jsxImportSource', 'alwaysStrict',
] as const

/**
 * Reads the tsconfig that governs a route folder (the nearest one up from `dir`, as TypeScript and
 * Next.js find it, whatever the process's working directory) into what loading needs.
 */
export function folderConfig(spec: FolderSpec, scope: string): FolderConfig {
  const tsconfig = spec.tsconfig === false ? null : readTsconfig(spec)
  const compilerOptions: TransformOptions = {}
  for (const key of TRANSFORM_KEYS) {
    const value = tsconfig?.config.compilerOptions?.[key]
    if (value !== undefined) Object.assign(compilerOptions, { [key]: value })
  }
  // Next.js compiles JSX with React's automatic runtime whatever the tsconfig says (it writes
  // `"jsx": "preserve"` there for the type checker).
  compilerOptions.jsx = 'react-jsx'
  return {
    scope,
    aliases: graphAliases(),
    fileAliases: Object.fromEntries(Object.entries(spec.resolveAlias ?? {}).map(([specifier, path]) => [specifier, pathToFileURL(path).href])),
    paths: tsconfig ? createPathsMatcher(tsconfig) : null,
    projectUrl: tsconfig ? `${pathToFileURL(realpathSync.native(dirname(tsconfig.path))).href}/` : null,
    compilerOptions,
    cache: new TransformCache(spec.cacheDir === undefined ? transformCacheDir(spec.dir) : resolve(spec.cacheDir)),
    reload: spec.reload === true,
  }
}

function readTsconfig(spec: FolderSpec): { path: string; config: TsConfigJsonResolved } | null {
  const path = typeof spec.tsconfig === 'string' ? resolve(spec.tsconfig) : undefined
  try {
    return path === undefined ? nearestConfig(spec.dir) : { path, config: parseTsconfig(path) }
  } catch (error) {
    throw routeHandlersError('RH_ERR_TSCONFIG_INVALID', [path ?? `the tsconfig.json above ${spec.dir}`, (error as Error).message], { cause: error })
  }
}

/**
 * The nearest `tsconfig.json` up from `dir`, or a `jsconfig.json` nearer than any (a JavaScript
 * project: `create-next-app --js` writes its `@/*` paths there, which Next.js reads when the
 * project has no `tsconfig.json`).
 */
function nearestConfig(dir: string): { path: string; config: TsConfigJsonResolved } | null {
  const tsconfig = getTsconfig(dir)
  const jsconfig = getTsconfig(dir, 'jsconfig.json')
  if (jsconfig === null) return tsconfig
  if (tsconfig === null) return jsconfig
  return dirname(jsconfig.path).length > dirname(tsconfig.path).length ? jsconfig : tsconfig
}
