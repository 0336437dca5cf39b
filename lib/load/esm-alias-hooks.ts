/**
 * Module customization hooks (run by Node on its loader thread) that resolve `next/server`,
 * `next/headers` and `next/navigation` to this package, only for modules under one route folder
 * and the project files they import, so real Next.js elsewhere in the process is untouched.
 */
import type { InitializeHook, ResolveHook } from 'node:module'

export interface AliasHookData {
  /** `file:` URL of the route folder, ending in `/`. */
  scope: string
  aliases: Record<string, string>
}

let scope = ''
let aliases: Record<string, string> = {}
const importedFromScope = new Set<string>()

export const initialize: InitializeHook<AliasHookData> = (data) => {
  scope = data.scope
  aliases = data.aliases
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const parent = context.parentURL === undefined ? undefined : withoutQuery(context.parentURL)
  const inScope = parent !== undefined && (parent.startsWith(scope) || importedFromScope.has(parent))
  if (!inScope) return nextResolve(specifier, context)
  const alias = aliases[specifier]
  if (alias !== undefined) return { url: alias, shortCircuit: true }
  const resolved = await nextResolve(specifier, context)
  if (resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/')) importedFromScope.add(withoutQuery(resolved.url))
  return resolved
}

// tsx tags the modules it loads with `?namespace=…`; scope is about files.
function withoutQuery(url: string): string {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}
