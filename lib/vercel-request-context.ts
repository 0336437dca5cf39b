import { isThenable } from './after-queue.ts'
import { requestStorage, requestStoresFor, unscopedRequestsRunning } from './context.ts'

const VERCEL_REQUEST_CONTEXT = Symbol.for('@vercel/request-context')

/** The part of Vercel's request context that libraries read: `waitUntil`, and the request's headers and URL. */
interface VercelRequestContext {
  waitUntil(task: PromiseLike<unknown> | (() => unknown)): void
  readonly headers: Record<string, string | undefined>
  readonly url: string
}

/**
 * Vercel's request context (`globalThis[Symbol.for('@vercel/request-context')]`), which
 * `waitUntil()` of `@vercel/functions` reads (and Sentry and `@vercel/otel` with it), for route
 * handlers' requests. Off Vercel, `next start` included, there is none: `waitUntil(promise)` does
 * nothing, so a promise that rejects is unhandled — Next.js's server logs it through its
 * process-wide handler, where a host app with Node's defaults exits (a trial: dub's
 * `waitUntil(cache.set(…))` with Redis down ended an Express app), and a shutdown does not wait
 * for it. Here `waitUntil()` is `after()` for its work: kept until it settles (`close()` waits for
 * it), a failure logged through the logger. Installed once per process, and only where no platform
 * provides one (on Vercel, Vercel's stays). Outside a route handler's request it gives no context,
 * as off Vercel.
 */
export function provideVercelRequestContext(): void {
  const holder = globalThis as { [VERCEL_REQUEST_CONTEXT]?: unknown }
  if (holder[VERCEL_REQUEST_CONTEXT] !== undefined) return
  holder[VERCEL_REQUEST_CONTEXT] = { get: currentContext }
}

function currentContext(): VercelRequestContext | undefined {
  // Asked on every span by some tracers, in the app's own routes too: no request, no error made.
  if (requestStorage.getStore() === undefined && !unscopedRequestsRunning()) return undefined
  let stores
  try {
    stores = requestStoresFor('waitUntil()')
  } catch {
    return undefined
  }
  const { handlers } = stores[0]!
  // Several requests only when the first call ever came while the store was off: whose it is is unknown.
  const request = stores.length === 1 ? stores[0]!.request : undefined
  return {
    waitUntil(task) {
      try {
        const work = typeof task === 'function' ? task() : task
        if (isThenable(work)) handlers.after.track(work, 'waitUntil()')
      } catch (error) {
        handlers.after.failed(error, 'waitUntil()')
      }
    },
    get headers() {
      return request === undefined ? {} : Object.fromEntries(request.headers)
    },
    url: request?.url ?? '',
  }
}
