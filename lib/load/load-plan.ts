import { extname } from 'node:path'
import { isCompiled } from './transform.ts'

/**
 * What the loader does with a file of a route graph, whichever thread it runs on:
 * - `compile`: TypeScript or JSX, compiled as Next.js compiles it;
 * - `json`: a `.json` file imported without `with { type: 'json' }`, which Next's bundler allows;
 * - `script`: a `.js`/`.cjs` file Node would run as CommonJS. Read first: a project `.js` file with
 *   `import`/`export` loads as an ES module (most Next.js projects have no `"type"`), without
 *   Node's reparse warning; a CommonJS module marked `__esModule` and reached by `import` gets
 *   Next's default-import interop; anything else is Node's;
 * - `node`: Node's own loading.
 */
export type LoadPlan = 'compile' | 'json' | 'script' | 'node'

export interface LoadContextLike {
  format?: string | null | undefined
  conditions?: readonly string[]
  importAttributes?: Record<string, string | undefined>
}

export function loadPlan(path: string, context: LoadContextLike): LoadPlan {
  if (isCompiled(path)) return 'compile'
  const extension = extname(path)
  if (extension === '.json') return !isRequire(context) && context.importAttributes?.type === undefined ? 'json' : 'node'
  if (extension !== '.js' && extension !== '.cjs') return 'node'
  if (context.format != null && context.format !== 'commonjs') return 'node'
  // A library's CommonJS required by CommonJS is Node's business alone.
  return isRequire(context) && (extension === '.cjs' || path.includes('/node_modules/')) ? 'node' : 'script'
}

export function isRequire(context: LoadContextLike): boolean {
  return context.conditions?.includes('require') === true
}

/** True when a `.js` file's own syntax decides its format: a project file, not a library's. */
export function mayBeModule(path: string): boolean {
  return extname(path) === '.js' && !path.includes('/node_modules/')
}
