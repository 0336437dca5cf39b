import { fileURLToPath } from 'node:url'
import type { FolderConfig } from './folder-config.ts'
import { commonJsFacade } from './commonjs-facade.ts'
import { isRequire, loadPlan, mayBeModule, type LoadContextLike, type LoadPlan } from './load-plan.ts'
import { hasModuleSyntax } from './module-syntax.ts'
import { resolveInGraph } from './resolve-in-graph.ts'
import { withoutQuery, type RouteGraph } from './route-graph.ts'
import { formatOf, type Compiled } from './transform.ts'

/**
 * The decisions both hook flavours share (in-thread and synchronous on newer Node lines, off-thread
 * and asynchronous on older ones); each flavour only adds its own way of reading and compiling.
 */

/**
 * For a resolution: one of this package's modules (`next/server`…), a file the graph found, Node's
 * answer (to record in the graph), or none of ours.
 */
export type ResolveStep =
  | { kind: 'outside' }
  | { kind: 'alias'; url: string }
  | { kind: 'file'; url: string }
  | { kind: 'node'; folder: FolderConfig }

export function resolveStep(graph: RouteGraph, specifier: string, parentUrl: string | undefined): ResolveStep {
  const parent = parentUrl === undefined ? undefined : withoutQuery(parentUrl)
  const folder = parent === undefined ? undefined : graph.folderOf(parent)
  if (!folder) return { kind: 'outside' }
  const alias = folder.aliases[specifier]
  // This package's own modules are not part of the graph: they import nothing from Next.js.
  if (alias !== undefined) return { kind: 'alias', url: alias }
  const url = resolveInGraph(specifier, parent!, folder)
  if (url === undefined) return { kind: 'node', folder }
  graph.addMember(url, folder)
  return { kind: 'file', url }
}

/** Records what Node resolved for a module of the graph. */
export function recordResolved(graph: RouteGraph, url: string, folder: FolderConfig): void {
  if (url.startsWith('file:')) graph.addMember(withoutQuery(url), folder)
}

/**
 * For a load: Node's own loading, Node's CommonJS loader (CommonJS TypeScript reached by `import`:
 * that loader compiles it through the `require()` side, keeping its `require()` calls hooked), or
 * a file to read for `plan`.
 */
export type LoadStep =
  | { kind: 'node' }
  | { kind: 'commonjs' }
  | { kind: 'read'; path: string; folder: FolderConfig; plan: Exclude<LoadPlan, 'node'> }

export function loadStep(graph: RouteGraph, url: string, context: LoadContextLike): LoadStep {
  const file = withoutQuery(url)
  const folder = file.startsWith('file:') ? graph.folderOf(file) : undefined
  if (!folder) return { kind: 'node' }
  const path = fileURLToPath(file)
  const plan = loadPlan(path, context)
  if (plan === 'node') return { kind: 'node' }
  if (plan === 'compile' && formatOf(path) === 'commonjs' && !isRequire(context)) return { kind: 'commonjs' }
  return { kind: 'read', path, folder, plan }
}

/**
 * The load result for a file read under `plan` (`compiled` for the `compile` plan), or null for
 * Node's own loading.
 */
export function loaded(step: Extract<LoadStep, { kind: 'read' }>, source: string, isImport: boolean, compiled?: Compiled): Compiled | null {
  if (step.plan === 'compile') return compiled!
  if (step.plan === 'json') return { format: 'module', source: `export default ${source}` }
  if (mayBeModule(step.path) && hasModuleSyntax(source)) return { format: 'module', source }
  const facade = isImport ? commonJsFacade(step.path, source) : null
  return facade === null ? null : { format: 'module', source: facade }
}
