/**
 * Module customization hooks (run by Node on its loader thread) for the modules under one route
 * folder and the project files they import, and for nothing else in the process:
 * - `next/server`, `next/headers` and `next/navigation` resolve to this package, so real Next.js
 *   elsewhere in the process is untouched;
 * - a `.js` file with `import`/`export` in a package without `"type": "module"` (most Next.js
 *   projects) loads as ESM without Node's "reparsing as ES module" warning.
 */
import { readFile } from 'node:fs/promises'
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module'
import { Script } from 'node:vm'

export interface AliasHookData {
  /** `file:` URL of the route folder, ending in `/`. */
  scope: string
  aliases: Record<string, string>
}

// Node runs this module once per URL however often it is registered: each route folder's
// registration adds its scope here.
const scopes: AliasHookData[] = []
const importedFromScope = new Map<string, AliasHookData>()

export const initialize: InitializeHook<AliasHookData> = (data) => {
  scopes.push(data)
}

function scopeOf(url: string | undefined): AliasHookData | undefined {
  if (url === undefined) return undefined
  const file = withoutQuery(url)
  return importedFromScope.get(file) ?? scopes.find((candidate) => file.startsWith(candidate.scope))
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const scope = scopeOf(context.parentURL)
  if (!scope) return nextResolve(specifier, context)
  const alias = scope.aliases[specifier]
  // Resolved through the rest of the chain (so a TypeScript loader still sees our own `.ts` sources
  // when running from source), but as if imported from outside the route folder: tsx must not tag
  // it with its namespace, which would load a second copy of the module.
  if (alias !== undefined) return nextResolve(alias, { ...context, parentURL: alias })
  const resolved = await nextResolve(specifier, context)
  if (resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/')) importedFromScope.set(withoutQuery(resolved.url), scope)
  return resolved
}

// tsx tags the modules it loads with `?namespace=…`; scope is about files.
function withoutQuery(url: string): string {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

export const load: LoadHook = async (url, context, nextLoad) => {
  // Node leaves the format open (null) for a `.js` file in a package without a "type".
  const typeless = context.format == null || context.format === 'commonjs'
  if (!typeless || !url.startsWith('file:') || !withoutQuery(url).endsWith('.js') || !scopeOf(url)) {
    return nextLoad(url, context)
  }
  const source = await readFile(new URL(withoutQuery(url)), 'utf8')
  if (!hasModuleSyntax(source)) return nextLoad(url, context)
  return { format: 'module', source, shortCircuit: true }
}

// Node's own test, simplified: source that does not compile as a script because of `import`,
// `export` or top-level `await` is a module.
function hasModuleSyntax(source: string): boolean {
  try {
    new Script(source)
    return false
  } catch (error) {
    return error instanceof SyntaxError && /\bimport\b|\bexport\b|\bawait\b/.test(error.message)
  }
}
