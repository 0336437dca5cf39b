import { transform as esbuildTransform, transformSync, type TransformOptions as EsbuildOptions, type TsconfigRaw } from 'esbuild'
import { extname } from 'node:path'
import type { TransformOptions } from './folder-config.ts'

/** The module formats Node's loader accepts from a load hook. */
export type LoadedFormat = 'module' | 'commonjs'

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
    sourcefile: path,
    sourcemap: 'inline',
    target: `node${process.versions.node}`,
    tsconfigRaw: { compilerOptions } as TsconfigRaw,
  }
}

/** Compiles TypeScript or JSX for Node, synchronously (in-thread module hooks). */
export function compileSync(path: string, source: string, compilerOptions: TransformOptions, format = formatOf(path)): Compiled {
  return { format, source: withCommonJsGlobals(transformSync(source, esbuildOptions(path, format, compilerOptions)).code, format) }
}

/** Compiles TypeScript or JSX for Node (off-thread module hooks). */
export async function compile(path: string, source: string, compilerOptions: TransformOptions): Promise<Compiled> {
  const format = formatOf(path)
  return { format, source: withCommonJsGlobals((await esbuildTransform(source, esbuildOptions(path, format, compilerOptions))).code, format) }
}

/**
 * Next.js's bundler gives every server file `require`, `__dirname` and `__filename`; an ES module
 * has none of them. Defined when the code uses one and does not declare it itself.
 */
function withCommonJsGlobals(code: string, format: LoadedFormat): string {
  if (format !== 'module') return code
  let prelude = ''
  if (uses(code, 'require')) prelude += 'import { createRequire as __rhCreateRequire } from "node:module"; const require = __rhCreateRequire(import.meta.url);'
  if (uses(code, '__dirname')) prelude += 'const __dirname = import.meta.dirname;'
  if (uses(code, '__filename')) prelude += 'const __filename = import.meta.filename;'
  return prelude === '' ? code : prelude + code
}

function uses(code: string, name: string): boolean {
  if (!code.includes(name)) return false
  const used = new RegExp(`(?<![.\\w$])${name}\\b`).test(code)
  const declared = new RegExp(`\\b(?:const|let|var|function|class|import)\\s+(?:\\{[^}]*\\b)?${name}\\b|\\bas\\s+${name}\\b`).test(code)
  return used && !declared
}
