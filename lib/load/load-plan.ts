import { extname } from 'node:path'
import { isCompiled } from './transform.ts'

/**
 * What the loader does with a file of a route graph, whichever thread it runs on:
 * - `compile`: TypeScript or JSX, compiled as Next.js compiles it;
 * - `script`: a project `.js` file Node would run as CommonJS, read first: with `import`/`export`
 *   it loads as an ES module (most Next.js projects have no `"type"`), without Node's reparse
 *   warning;
 * - `module`: a project `.mjs` file, or `.js` in a `"type": "module"` package, read here as Node
 *   would: off-thread, Node's own reading is a promise-based open, read and close, each a round
 *   trip through libuv's pool, for a file of a few KB;
 * - `node`: Node's own loading.
 * Imports that Next's bundler answers differently from Node (a `.json` file without
 * `with { type: 'json' }`, a CommonJS module marked `__esModule`) are marked at resolution with a
 * query of their own (see graph-steps.ts), so the host app's imports of the same file stay Node's.
 */
export type LoadPlan = 'compile' | 'script' | 'module' | 'node'

export interface LoadContextLike {
  format?: string | null | undefined
  conditions?: readonly string[]
  importAttributes?: Record<string, string | undefined>
}

export function loadPlan(path: string, context: LoadContextLike): LoadPlan {
  if (isCompiled(path)) return 'compile'
  const extension = extname(path)
  if ((extension !== '.js' && extension !== '.mjs') || path.includes('/node_modules/')) return 'node'
  if (extension === '.mjs' || context.format === 'module') return 'module'
  return context.format == null || context.format === 'commonjs' ? 'script' : 'node'
}

export function isRequire(context: LoadContextLike): boolean {
  return context.conditions?.includes('require') === true
}
