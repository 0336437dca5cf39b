import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { routeHandlersError } from './errors.ts'
import { findFile } from './load/resolve-in-graph.ts'

/**
 * The `resolveAlias` option: each import name and the absolute path of the file it loads, found as
 * an import would find it (`./i18n/request` finds `request.ts`), relative paths from the working
 * directory as `dir`. Throws `RH_ERR_OPTIONS_INVALID` for a value that is not a path, or a path
 * with no file: at start-up, not when a request first reaches the import.
 */
export function resolveAliasOption(value: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', ['`resolveAlias` must be an object of import names and file paths'])
  }
  const files: Record<string, string> = {}
  for (const [specifier, target] of Object.entries(value)) {
    if (typeof target !== 'string' || target === '') {
      throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`resolveAlias\` maps "${specifier}" to ${JSON.stringify(target)}: give a file path, such as "./i18n/request.ts"`])
    }
    const url = findFile(resolve(target))
    if (url === undefined) {
      throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`resolveAlias\` maps "${specifier}" to "${target}", and there is no module at ${resolve(target)} (with an extension, or as a folder's index)`])
    }
    files[specifier] = fileURLToPath(url)
  }
  return files
}
