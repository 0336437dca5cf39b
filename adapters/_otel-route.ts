/**
 * Tells OpenTelemetry's HTTP instrumentation (@opentelemetry/instrumentation-http, also under
 * Sentry 10, Datadog's and New Relic's OpenTelemetry setups) which route a request took, as
 * @opentelemetry/instrumentation-express does for an app's own routes: the server span's
 * `http.route` and name then read `GET /api/items/[slug]`, the route file's pattern under its
 * mount path as Next.js reports it, rather than the mount path every route file shares (`/api`).
 * Read through the registration OpenTelemetry's API keeps on `globalThis`, without importing it:
 * an app without OpenTelemetry pays one property lookup.
 */

/** What @opentelemetry/api 1.x registers on `globalThis` (its context manager, once an SDK has started). */
interface OpenTelemetryGlobal {
  context?: { active(): { getValue(key: symbol): unknown } }
}

/** The request's metadata @opentelemetry/core keeps in the context of an HTTP server span. */
interface RpcMetadata {
  type?: string
  route?: string
}

const API = Symbol.for('opentelemetry.js.api.1')
// @opentelemetry/core's key: made with `createContextKey`, which is `Symbol.for(description)`.
const RPC_METADATA = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA')

/** Records `route` (`/api/items/[slug]`) as the request's route for the HTTP server span, if one is being traced. */
export function reportRoute(route: string): void {
  const contextManager = (globalThis as Record<symbol, OpenTelemetryGlobal | undefined>)[API]?.context
  if (contextManager === undefined) return
  const metadata = contextManager.active().getValue(RPC_METADATA) as RpcMetadata | undefined
  if (metadata?.type === 'http') metadata.route = route
}

/** The route a file's pattern is under a mount path: `/api` + `/items/[slug]`; the mount's root is the mount path. */
export function mountedRoute(basePath: string, pattern: string): string {
  if (pattern === '/') return basePath === '' ? '/' : basePath
  return basePath + pattern
}
