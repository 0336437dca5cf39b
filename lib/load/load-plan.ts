import { extname } from 'node:path'
import { isCompiled } from './transform.ts'

/**
 * What the loader does with a file of a route graph, whichever thread it runs on:
 * - `compile`: TypeScript or JSX, compiled as Next.js compiles it;
 * - `json`: a `.json` file imported without `with { type: 'json' }`, which Next's bundler allows;
 * - `detect`: a project `.js` file Node would treat as CommonJS, loaded as an ES module when it has
 *   `import`/`export` (most Next.js projects have no `"type"`), without Node's reparse warning;
 * - `node`: Node's own loading.
 */
export type LoadPlan = 'compile' | 'json' | 'detect' | 'node'

export interface LoadContextLike {
  format?: string | null | undefined
  conditions?: readonly string[]
  importAttributes?: Record<string, string | undefined>
}

export function loadPlan(path: string, context: LoadContextLike): LoadPlan {
  if (isCompiled(path)) return 'compile'
  const extension = extname(path)
  const required = context.conditions?.includes('require') === true
  if (extension === '.json') return !required && context.importAttributes?.type === undefined ? 'json' : 'node'
  if (extension !== '.js' || path.includes('/node_modules/')) return 'node'
  return context.format == null || context.format === 'commonjs' ? 'detect' : 'node'
}
