import { routeHandlersError } from '../lib/errors.ts'
import type { Logger } from '../lib/types.ts'

/**
 * Fastify fails a plugin that has not finished within its `pluginTimeout` (10 s by default) with
 * FST_ERR_PLUGIN_TIMEOUT, whose message suggests a forgotten `done()` (avvio's
 * AVV_ERR_PLUGIN_EXEC_TIMEOUT from `await fastify.register()`, which may end the process at once).
 * Loading thousands of route files with a cold transform cache can take that long: say so, naming
 * the option, when half of it has gone (a boot that will soon fail, or one that is getting close),
 * and again as an error before it runs out: a tenth of it before, at least half a second (Fastify's
 * own timer started first, with the plugin's registration, and on a busy machine a timer fires
 * late). Started before the route folder is scanned; `routeCount` is asked when a message is
 * due. Returns the function that stops watching, once loading is done.
 */
export function watchPluginTimeout(timeout: number, routeCount: () => number, logger: Logger): () => void {
  if (!(timeout > 0)) return () => {}
  const started = Date.now()
  const half = setTimeout(() => {
    logger.warn(
      `route-handlers: loading ${routeCount()} route files has taken ${Date.now() - started} ms of Fastify's pluginTimeout (${timeout} ms); past it the app's boot fails. Raise pluginTimeout or keep the transform cache warm (README: "How route files load").`,
    )
  }, timeout / 2).unref()
  const whole = setTimeout(() => {
    const error = routeHandlersError('RH_ERR_HOST_PLUGIN_TIMEOUT', [routeCount(), timeout])
    logger.error(`route-handlers: ${error.message}`, error)
  }, timeout - Math.max(Math.min(500, timeout / 2), timeout / 10)).unref()
  return () => {
    clearTimeout(half)
    clearTimeout(whole)
  }
}
