import Module, { type LoadFnOutput, type LoadHookContext, type ResolveFnOutput, type ResolveHookContext } from 'node:module'

// `module.registerHooks` (Node 22.15+) is newer than the @types/node of our oldest line: typed here.
export type SyncResolveHook = (
  specifier: string,
  context: ResolveHookContext,
  nextResolve: (specifier: string, context?: Partial<ResolveHookContext>) => ResolveFnOutput,
) => ResolveFnOutput
export type SyncLoadHook = (
  url: string,
  context: LoadHookContext,
  nextLoad: (url: string, context?: Partial<LoadHookContext>) => LoadFnOutput,
) => LoadFnOutput

/** Node's `module.registerHooks`, or `undefined` on the lines that lack it (20, 22 before 22.15). */
export const registerHooks = (Module as unknown as { registerHooks?: (hooks: { resolve?: SyncResolveHook; load?: SyncLoadHook }) => unknown })
  .registerHooks
