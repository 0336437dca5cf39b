import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { processGlobal } from '../process-global.ts'
import type { AliasHookData } from './esm-alias-hooks.ts'
import { ownModuleUrl } from './next-aliases.ts'

/**
 * Registers the ESM hooks for one route folder (once per folder per process). Each registration
 * hands its folder to the hooks module as start-up data, so no message can arrive late; the hooks
 * module keeps every folder it is given.
 */
export function addEsmAliases(dir: string, aliases: Record<string, string>): void {
  const registered = processGlobal('esm-alias-dirs', () => new Set<string>())
  if (registered.has(dir)) return
  registered.add(dir)
  const data: AliasHookData = { scope: pathToFileURL(dir).href, aliases }
  register(ownModuleUrl('./esm-alias-hooks'), { data })
}
