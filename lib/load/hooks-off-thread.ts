/**
 * Node 20 and 22 before 22.15: module customization hooks for `import`, run by Node on its hooks
 * thread (`module.register`). They share the route graph with the main thread's `require()` side
 * (require-hooks.ts) through the port given at registration.
 */
import { readFileSync } from 'node:fs'
import type { InitializeHook, LoadHook, ResolveFnOutput, ResolveHook } from 'node:module'
import type { MessagePort } from 'node:worker_threads'
import { withAssetUrls } from './assets.ts'
import { compiledCommonJsFacade } from './commonjs-facade.ts'
import { bundlerResolution, graphConditions, graphUrl, loaded, loadStep, noteRequestApi, packageModule, resolveStep, unresolved, unresolvedError } from './graph-steps.ts'
import { RouteGraph, withoutQuery } from './route-graph.ts'
import { compile } from './transform.ts'

export interface OffThreadHookData {
  port: MessagePort
}

let graph: RouteGraph
// What the rest of the chain answered for each alias: the same for every route file that imports
// `next/server`, so asked once rather than once per route file (a stat and a realpath each), then
// given again as this hook's own answer.
const aliasResolutions = new Map<string, ResolveFnOutput>()

export const initialize: InitializeHook<OffThreadHookData> = ({ port }) => {
  graph = new RouteGraph(port)
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const step = resolveStep(graph, specifier, context.parentURL, context)
  // Aliases go through the rest of the chain, as if imported from outside the graph: when this
  // package runs from source, the TypeScript loader that runs it loads its modules.
  if (step.kind === 'alias') {
    const known = aliasResolutions.get(step.url)
    if (known) return { ...known, shortCircuit: true }
    const resolved = await nextResolve(step.url, { ...context, parentURL: step.url })
    aliasResolutions.set(step.url, resolved)
    return resolved
  }
  if (step.kind === 'file') return { url: step.url, shortCircuit: true }
  if (step.kind === 'outside') return nextResolve(specifier, context)
  let resolved: Awaited<ReturnType<typeof nextResolve>>
  try {
    const conditions = graphConditions(specifier, context.conditions)
    resolved = await nextResolve(specifier, conditions ? { ...context, conditions } : context)
  } catch (error) {
    const found = bundlerResolution(error, specifier, context.parentURL)
    if (found !== undefined) return { url: graphUrl(graph, found, undefined, step.folder, context, context.parentURL), shortCircuit: true }
    unresolved(graph, specifier, context.parentURL, step.folder)
    throw unresolvedError(error, specifier, context.parentURL, step.folder)
  }
  return { ...resolved, url: graphUrl(graph, resolved.url, resolved.format, step.folder, context, context.parentURL) }
}

export const load: LoadHook = async (url, context, nextLoad) => {
  const step = loadStep(graph, url, context)
  if (step.kind === 'node') return nextLoad(url, context)
  if (step.kind === 'package') return packageModule(graph, url, await nextLoad(url, context))
  // Imported TypeScript CommonJS (`.cts`): a facade that require()s it on the main thread, where
  // the require hooks compile it. (Node 20 runs CommonJS given a source here with a require() that
  // fails on ES modules such as next/server; given none, it lexes the TypeScript for names.)
  if (step.kind === 'commonjs') {
    const source = withAssetUrls(graph, step.path, readFileSync(step.path, 'utf8'), step.folder)
    noteRequestApi(graph, step.folder, source)
    const compiled = await compile(step.path, source, step.folder)
    return { format: 'module', source: compiledCommonJsFacade(step.path, compiled.source), shortCircuit: true }
  }
  if (step.kind === 'made') return { format: 'module', source: step.source, shortCircuit: true }
  // Read synchronously: this thread only answers the loader, and a promise-based read costs an
  // open, a read and a close, each a round trip through libuv's pool, for a file of a few KB.
  const source = withAssetUrls(graph, step.path, readFileSync(step.path, 'utf8'), step.folder)
  noteRequestApi(graph, step.folder, source)
  const compiled = step.plan === 'compile' ? await compile(step.path, source, step.folder) : undefined
  const result = loaded(step.plan, step.path, source, compiled)
  // What filesLoadedTwice and shareWithRequire look for: TypeScript compiled as an ES module (tsx
  // compiles it apart for require()).
  if (step.plan === 'compile' && result?.format === 'module') graph.addImported(withoutQuery(url))
  return result ? { ...result, shortCircuit: true } : nextLoad(url, context)
}
