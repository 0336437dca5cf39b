import { readFileSync } from 'node:fs'
import type { LoadFnOutput, ResolveFnOutput } from 'node:module'
import { compiledCommonJsFacade } from './commonjs-facade.ts'
import { withAssetUrls } from './assets.ts'
import { bundlerResolution, graphConditions, graphUrl, loaded, loadStep, noteRequestApi, packageModule, resolveStep, unresolved, unresolvedError } from './graph-steps.ts'
import { registerHooks } from './register-hooks.ts'
import { RouteGraph, withoutQuery } from './route-graph.ts'
import { compileSync } from './transform.ts'

/**
 * Node 22.15+, 24, 26: `module.registerHooks`, synchronous hooks on the main thread that see both
 * `import` and `require()`, so one graph and one set of rules cover every module flavour.
 */
export function installInThreadHooks(): RouteGraph {
  const graph = new RouteGraph()
  registerHooks!({
    resolve(specifier, context, nextResolve): ResolveFnOutput {
      const step = resolveStep(graph, specifier, context.parentURL, context)
      if (step.kind === 'alias' || step.kind === 'file') return { url: step.url, shortCircuit: true }
      if (step.kind === 'outside') return nextResolve(specifier, context)
      let resolved: ResolveFnOutput
      try {
        const conditions = graphConditions(specifier, context.conditions)
        resolved = nextResolve(specifier, conditions ? { ...context, conditions } : context)
      } catch (error) {
        const found = bundlerResolution(error, specifier, context.parentURL)
        if (found !== undefined) return { url: graphUrl(graph, found, undefined, step.folder, context, context.parentURL), shortCircuit: true }
        unresolved(graph, specifier, context.parentURL, step.folder)
        throw unresolvedError(error, specifier, context.parentURL, step.folder)
      }
      return { ...resolved, url: graphUrl(graph, resolved.url, resolved.format, step.folder, context, context.parentURL) }
    },
    load(url, context, nextLoad): LoadFnOutput {
      const step = loadStep(graph, url, context)
      if (step.kind === 'node') return nextLoad(url, context)
      if (step.kind === 'package') return packageModule(graph, url, nextLoad(url, context))
      // Imported TypeScript CommonJS (`.cts`): a facade that require()s it. Answered `commonjs`
      // without a source, Node 22.15+ loads the file itself (this hook sees no `require`
      // condition then), and a `.cts` written with `import` fails to parse.
      if (step.kind === 'commonjs') {
        const source = withAssetUrls(graph, step.path, readFileSync(step.path, 'utf8'), step.folder)
        noteRequestApi(graph, step.folder, source)
        const compiled = compileSync(step.path, source, step.folder).source
        return { format: 'module', source: compiledCommonJsFacade(step.path, compiled), shortCircuit: true }
      }
      if (step.kind === 'made') return { format: 'module', source: step.source, shortCircuit: true }
      const source = withAssetUrls(graph, step.path, readFileSync(step.path, 'utf8'), step.folder)
      noteRequestApi(graph, step.folder, source)
      const compiled = step.plan === 'compile' ? compileSync(step.path, source, step.folder) : undefined
      const result = loaded(step.plan, step.path, source, compiled)
      // What shareWithRequire looks for: TypeScript compiled as an ES module (a loader such as tsx
      // would compile it again for require()).
      if (step.plan === 'compile' && result?.format === 'module') graph.addImported(withoutQuery(url))
      return result ? { ...result, shortCircuit: true } : nextLoad(url, context)
    },
  })
  return graph
}
