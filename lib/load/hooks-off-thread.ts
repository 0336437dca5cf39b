/**
 * Node 20 and 22 before 22.15: module customization hooks for `import`, run by Node on its hooks
 * thread (`module.register`). They share the route graph with the main thread's `require()` side
 * (require-hooks.ts) through the port given at registration.
 */
import { readFile } from 'node:fs/promises'
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { MessagePort } from 'node:worker_threads'
import { loadPlan } from './load-plan.ts'
import { hasModuleSyntax } from './module-syntax.ts'
import { resolveInGraph } from './resolve-in-graph.ts'
import { RouteGraph, withoutQuery } from './route-graph.ts'
import { compile, formatOf } from './transform.ts'

export interface OffThreadHookData {
  port: MessagePort
}

let graph: RouteGraph

export const initialize: InitializeHook<OffThreadHookData> = ({ port }) => {
  graph = new RouteGraph(port)
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const parent = context.parentURL === undefined ? undefined : withoutQuery(context.parentURL)
  const folder = parent === undefined ? undefined : graph.folderOf(parent)
  if (!folder) return nextResolve(specifier, context)
  const alias = folder.aliases[specifier]
  // Through the rest of the chain, as if imported from outside the graph: when this package runs
  // from source, the TypeScript loader that runs it loads its modules.
  if (alias !== undefined) return nextResolve(alias, { ...context, parentURL: alias })
  const url = resolveInGraph(specifier, parent!, folder)
  const resolved = url === undefined ? await nextResolve(specifier, context) : { url, shortCircuit: true }
  if (resolved.url.startsWith('file:')) graph.addMember(withoutQuery(resolved.url), folder)
  return resolved
}

export const load: LoadHook = async (url, context, nextLoad) => {
  const file = withoutQuery(url)
  const folder = file.startsWith('file:') ? graph.folderOf(file) : undefined
  if (!folder) return nextLoad(url, context)
  const path = fileURLToPath(file)
  const plan = loadPlan(path, context)
  if (plan === 'node') return nextLoad(url, context)
  // CommonJS TypeScript goes to Node's CommonJS loader, which compiles it through require-hooks.ts:
  // here its require() calls of ES modules (next/server) would fail on Node 20.
  if (plan === 'compile' && formatOf(path) === 'commonjs') return { format: 'commonjs', shortCircuit: true }
  const source = await readFile(path, 'utf8')
  if (plan === 'compile') return { ...(await compile(path, source, folder.compilerOptions)), shortCircuit: true }
  if (plan === 'json') return { format: 'module', source: `export default ${source}`, shortCircuit: true }
  if (hasModuleSyntax(source)) return { format: 'module', source, shortCircuit: true }
  return nextLoad(url, context)
}
