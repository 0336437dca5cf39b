import { readFileSync } from 'node:fs'
import type { LoadFnOutput, ResolveFnOutput } from 'node:module'
import { loaded, loadStep, recordResolved, resolveStep } from './graph-steps.ts'
import { isRequire } from './load-plan.ts'
import { registerHooks } from './register-hooks.ts'
import { RouteGraph } from './route-graph.ts'
import { compileSync } from './transform.ts'

/**
 * Node 22.15+, 24, 26: `module.registerHooks`, synchronous hooks on the main thread that see both
 * `import` and `require()`, so one graph and one set of rules cover every module flavour.
 */
export function installInThreadHooks(): RouteGraph {
  const graph = new RouteGraph()
  registerHooks!({
    resolve(specifier, context, nextResolve): ResolveFnOutput {
      const step = resolveStep(graph, specifier, context.parentURL)
      if (step.kind === 'alias' || step.kind === 'file') return { url: step.url, shortCircuit: true }
      const resolved = nextResolve(specifier, context)
      if (step.kind === 'node') recordResolved(graph, resolved.url, step.folder)
      return resolved
    },
    load(url, context, nextLoad): LoadFnOutput {
      const step = loadStep(graph, url, context)
      if (step.kind === 'node') return nextLoad(url, context)
      if (step.kind === 'commonjs') return { format: 'commonjs', shortCircuit: true }
      const source = readFileSync(step.path, 'utf8')
      const compiled = step.plan === 'compile' ? compileSync(step.path, source, step.folder) : undefined
      const result = loaded(step, source, !isRequire(context), compiled)
      return result ? { ...result, shortCircuit: true } : nextLoad(url, context)
    },
  })
  return graph
}
