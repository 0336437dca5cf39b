import Module from 'node:module'
import { fileURLToPath } from 'node:url'
import { processGlobal } from '../process-global.ts'

type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string
const ModuleWithResolver = Module as unknown as { _resolveFilename: ResolveFilename }

interface CommonJsAliasState {
  /** Our current wrapper around `Module._resolveFilename`, if installed. */
  wrapper?: ResolveFilename
  /** Route folders (ending in the path separator) and their aliases. */
  scopes: Map<string, Record<string, string>>
  /** Project files required from a scope, with the aliases they inherit. */
  importedFromScope: Map<string, Record<string, string>>
}

/**
 * The `require()` side of the `next/*` aliases, for CommonJS route files and for TypeScript that
 * tsx compiles to CommonJS (a package without `"type": "module"`). Node's ESM hooks do not see
 * those `require()` calls, so `Module._resolveFilename` is wrapped, once per process.
 */
export function addCommonJsAliases(dir: string, aliases: Record<string, string>): void {
  const state = processGlobal<CommonJsAliasState>('cjs-aliases', () => ({ scopes: new Map(), importedFromScope: new Map() }))
  // tsx wraps the resolver too, and tags what it resolves with `?namespace=`, which would load a
  // second copy of our modules; ours must be the outermost wrapper, so it answers first.
  if (ModuleWithResolver._resolveFilename !== state.wrapper) state.wrapper = wrapResolver(state)
  const paths: Record<string, string> = {}
  for (const [specifier, url] of Object.entries(aliases)) paths[specifier] = fileURLToPath(url)
  state.scopes.set(dir, paths)
}

function wrapResolver(state: CommonJsAliasState): ResolveFilename {
  const original = ModuleWithResolver._resolveFilename
  const wrapper: ResolveFilename = function resolveWithNextAliases(this: unknown, request, parent, ...rest) {
    const aliases = parent?.filename ? aliasesFor(state, withoutQuery(parent.filename)) : undefined
    if (!aliases) return original.call(this, request, parent, ...rest)
    const alias = aliases[request]
    if (alias !== undefined) return alias
    const resolved = original.call(this, request, parent, ...rest)
    if (!resolved.includes('/node_modules/') && resolved.includes('/')) state.importedFromScope.set(withoutQuery(resolved), aliases)
    return resolved
  }
  ModuleWithResolver._resolveFilename = wrapper
  return wrapper
}

function aliasesFor(state: CommonJsAliasState, filename: string): Record<string, string> | undefined {
  const imported = state.importedFromScope.get(filename)
  if (imported) return imported
  for (const [dir, aliases] of state.scopes) if (filename.startsWith(dir)) return aliases
  return undefined
}

function withoutQuery(path: string): string {
  const end = path.indexOf('?')
  return end === -1 ? path : path.slice(0, end)
}
