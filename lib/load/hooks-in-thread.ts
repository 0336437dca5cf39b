import { readFileSync } from 'node:fs'
import type { LoadFnOutput, ResolveFnOutput } from 'node:module'
import { fileURLToPath } from 'node:url'
import { loadPlan } from './load-plan.ts'
import { hasModuleSyntax } from './module-syntax.ts'
import { registerHooks } from './register-hooks.ts'
import { resolveInGraph } from './resolve-in-graph.ts'
import { RouteGraph, withoutQuery } from './route-graph.ts'
import { compileSync, formatOf } from './transform.ts'

/**
 * Node 22.15+, 24, 26: `module.registerHooks`, synchronous hooks on the main thread that see both
 * `import` and `require()`, so one graph and one set of rules cover every module flavour.
 */
export function installInThreadHooks(): RouteGraph {
  const graph = new RouteGraph()
  registerHooks!({
    resolve(specifier, context, nextResolve): ResolveFnOutput {
      const parent = context.parentURL === undefined ? undefined : withoutQuery(context.parentURL)
      const folder = parent === undefined ? undefined : graph.folderOf(parent)
      if (!folder) return nextResolve(specifier, context)
      const alias = folder.aliases[specifier]
      if (alias !== undefined) return { url: alias, shortCircuit: true }
      const url = resolveInGraph(specifier, parent!, folder)
      const resolved = url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true }
      if (resolved.url.startsWith('file:')) graph.addMember(withoutQuery(resolved.url), folder)
      return resolved
    },
    load(url, context, nextLoad): LoadFnOutput {
      const file = withoutQuery(url)
      const folder = file.startsWith('file:') ? graph.folderOf(file) : undefined
      if (!folder) return nextLoad(url, context)
      const path = fileURLToPath(file)
      const plan = loadPlan(path, context)
      if (plan === 'node') return nextLoad(url, context)
      // An import of CommonJS TypeScript: Node's CommonJS loader runs it (and calls this hook again
      // to compile it); given the source here, Node 22 would resolve its require() calls unhooked.
      if (plan === 'compile' && formatOf(path) === 'commonjs' && !context.conditions.includes('require')) {
        return { format: 'commonjs', shortCircuit: true }
      }
      const source = readFileSync(path, 'utf8')
      if (plan === 'compile') return { ...compileSync(path, source, folder.compilerOptions), shortCircuit: true }
      if (plan === 'json') return { format: 'module', source: `export default ${source}`, shortCircuit: true }
      if (hasModuleSyntax(source)) return { format: 'module', source, shortCircuit: true }
      return nextLoad(url, context)
    },
  })
  return graph
}
