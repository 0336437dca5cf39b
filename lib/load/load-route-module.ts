import { extname, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { routeHandlersError } from '../errors.ts'
import { addCommonJsAliases } from './cjs-alias.ts'
import { addEsmAliases } from './esm-aliases.ts'
import { nextAliases } from './next-aliases.ts'
import { importTypeScript, registerTypeScript } from './typescript.ts'

const TYPESCRIPT = new Set(['.ts', '.tsx', '.mts', '.cts'])
const COMMONJS = new Set(['.cjs', '.cts'])

/** True when loading this file needs tsx. */
export function needsTypeScript(file: string): boolean {
  return TYPESCRIPT.has(extname(file)) || extname(file) === '.jsx'
}

/**
 * Prepares the process to load the route files of `dir`: tsx first when any of them needs it, then
 * the `next/*` aliases, so the aliases sit in front of tsx's resolvers and answer first.
 */
export async function prepareLoading(dir: string, files: readonly string[]): Promise<void> {
  if (files.some(needsTypeScript)) await registerTypeScript()
  const aliases = nextAliases()
  const scope = dir.endsWith(sep) ? dir : `${dir}${sep}`
  addEsmAliases(scope, aliases)
  addCommonJsAliases(scope, aliases)
}

/**
 * Loads one route file and returns its exports. CommonJS files (`.cjs`, `.cts`) may put handlers
 * on `module.exports`; Node exposes that object as `default`.
 */
export async function loadRouteModule(file: string, relativeFile: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href
  let namespace: Record<string, unknown>
  try {
    namespace = (await (needsTypeScript(file) ? importTypeScript(url) : import(url))) as Record<string, unknown>
  } catch (error) {
    throw routeHandlersError('RH_ERR_ROUTE_LOAD', [relativeFile, error instanceof Error ? error.message : String(error)], { cause: error })
  }
  const commonJsExports = namespace.default
  if (COMMONJS.has(extname(file)) && typeof commonJsExports === 'object' && commonJsExports !== null) {
    return { ...(commonJsExports as Record<string, unknown>), ...namespace }
  }
  return namespace
}
