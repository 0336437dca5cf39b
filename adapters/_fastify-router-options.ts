import type { FastifyInstance } from 'fastify'

/**
 * Whether the app's router folds `/x/` onto `/x`, in either spelling: Fastify 5's
 * `routerOptions.ignoreTrailingSlash` or the deprecated top-level option. Either one set means
 * `/x/` reaches the file's own route, and the fallback never sees it. Once
 * `routerOptions` is given at all, Fastify fills `initialConfig.routerOptions` with defaults, so an
 * explicit `false` there looks like an absent key: an app that sets the two spellings to opposite
 * values gets `/x/` answered by its not-found handler rather than a failed boot.
 */
export function ignoresTrailingSlash(fastify: FastifyInstance): boolean {
  const config = fastify.initialConfig
  return config.routerOptions?.ignoreTrailingSlash === true || config.ignoreTrailingSlash === true
}
