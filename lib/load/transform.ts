import type { TransformOptions as EsbuildOptions, TsconfigRaw } from 'esbuild'
import { createRequire } from 'node:module'
import { extname, relative } from 'node:path'
import type { FolderConfig, TransformOptions } from './folder-config.ts'
import { withCommonJsGlobals } from './commonjs-globals.ts'
import { compileUseCache, mayUseCache } from './use-cache-directive.ts'

/** The module formats Node's loader accepts from a load hook. */
export type LoadedFormat = 'module' | 'commonjs'

/** What compiling needs of a route folder. */
export type CompileFolder = Pick<FolderConfig, 'compilerOptions' | 'cache'>

export interface Compiled {
  format: LoadedFormat
  source: string
}

const LOADERS: Record<string, 'ts' | 'tsx' | 'jsx'> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' }

/** True for files the loader compiles: TypeScript and JSX. */
export function isCompiled(path: string): boolean {
  return LOADERS[extname(path)] !== undefined
}

/**
 * The format Next.js gives a file: `.cts` is CommonJS by definition; everything else it compiles
 * as an ES module whatever the package's `"type"` (top-level `await`, `export * from './x.ts'`).
 */
export function formatOf(path: string): LoadedFormat {
  return extname(path) === '.cts' ? 'commonjs' : 'module'
}

function esbuildOptions(path: string, format: LoadedFormat, compilerOptions: TransformOptions): EsbuildOptions {
  return {
    loader: LOADERS[extname(path)],
    format: format === 'module' ? 'esm' : 'cjs',
    // For CommonJS output: the `0 && (module.exports = { GET })` note Node's lexer reads, so an
    // `import` of a `.cts` sees its named exports.
    platform: 'node',
    sourcefile: path,
    sourcemap: 'inline',
    target: `node${process.versions.node}`,
    tsconfigRaw: { compilerOptions } as TsconfigRaw,
  }
}

// esbuild loads with the first file to compile: an all-JavaScript folder, or a start whose files
// are all in the cache, never needs it. Its version (part of the cache key) comes from its manifest.
const require = createRequire(import.meta.url)
const compilerVersion = (require('esbuild/package.json') as { version: string }).version
// What this file does to esbuild's output (CommonJS globals, "use cache"): bumped when that
// changes, so a cache written by an older copy of the package is not read.
const OUTPUT_VERSION = 'rh-output-3'
let esbuild: typeof import('esbuild') | undefined
/** esbuild, loaded on first use. */
export function compiler(): typeof import('esbuild') {
  if (esbuild !== undefined) return esbuild
  if (!yarnPnpMissesWorker(process.versions, process.env.NODE_OPTIONS)) return (esbuild = require('esbuild') as typeof import('esbuild'))
  // esbuild reads this as it loads, and nothing else needs it: the app's environment is left as it was.
  const workerThreads = process.env.ESBUILD_WORKER_THREADS
  process.env.ESBUILD_WORKER_THREADS = '0'
  try {
    return (esbuild = require('esbuild') as typeof import('esbuild'))
  } finally {
    if (workerThreads === undefined) delete process.env.ESBUILD_WORKER_THREADS
    else process.env.ESBUILD_WORKER_THREADS = workerThreads
  }
}

/**
 * True when Yarn's Plug'n'Play runtime runs in this process but would not in esbuild's worker
 * thread: esbuild starts it with `execArgv: []`, so PnP set up by command-line flags (`node
 * --require ./.pnp.cjs --loader ./.pnp.loader.mjs`) is not there, the worker cannot find esbuild's
 * binary, and a synchronous compile (Node 22.15+'s in-thread hooks) waits for it forever. Set up
 * through `NODE_OPTIONS` (`yarn node`, Yarn's scripts), the worker has it. esbuild then compiles
 * without the worker (a child process per call).
 */
export function yarnPnpMissesWorker(versions: NodeJS.ProcessVersions, nodeOptions: string | undefined): boolean {
  return (versions as { pnp?: string }).pnp !== undefined && !/\.pnp\.c?js\b/.test(nodeOptions ?? '')
}

/** Compiles TypeScript or JSX for Node, synchronously (in-thread module hooks). */
export function compileSync(path: string, source: string, folder: CompileFolder, format = formatOf(path)): Compiled {
  const job = compileJob(path, source, folder, format)
  return job.cached ?? job.finish(compiler().transformSync(source, job.options).code)
}

/** Compiles TypeScript or JSX for Node (off-thread module hooks). */
export async function compile(path: string, source: string, folder: CompileFolder): Promise<Compiled> {
  const job = compileJob(path, source, folder, formatOf(path))
  return job.cached ?? job.finish((await compiler().transform(source, job.options)).code)
}

/** True when the transform cache already holds this source compiled (checked without reading it). */
export function isCached(path: string, source: string, folder: CompileFolder, format: LoadedFormat): boolean {
  return folder.cache.has(cacheKey(folder, esbuildOptions(path, format, folder.compilerOptions), source))
}

// One key for the lookup and the check (the check once missed OUTPUT_VERSION: precompiling read
// every cached file again).
function cacheKey(folder: CompileFolder, options: ReturnType<typeof esbuildOptions>, source: string): string {
  return folder.cache.key(`${compilerVersion}+${OUTPUT_VERSION}`, options, source)
}

// The cache lookup, and what to do with esbuild's output when the cache had nothing.
function compileJob(path: string, source: string, folder: CompileFolder, format: LoadedFormat) {
  const options = esbuildOptions(path, format, folder.compilerOptions)
  const key = cacheKey(folder, options, source)
  const cached = folder.cache.get(key)
  return {
    options,
    cached: cached === undefined ? undefined : { format, source: cached },
    finish(code: string): Compiled {
      const compiled = { format, source: format === 'module' ? withCommonJsGlobals(withUseCache(code, path)) : code }
      folder.cache.set(key, compiled.source)
      return compiled
    },
  }
}

/**
 * An ES module with its `"use cache"` functions compiled (use-cache-directive.ts). Cache keys name
 * the file by its path from the working directory: the same on every instance of a deployment.
 */
export function withUseCache(code: string, path: string): string {
  return mayUseCache(code) ? compileUseCache(code, relative(process.cwd(), path), path) : code
}

