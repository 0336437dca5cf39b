import { isThenable } from './after-queue.ts'
import type { AfterWork } from './after-work.ts'
import { keepUploadsFor } from './body/route-request.ts'
import { requestStorage, requestStoresFor, unscopedRequestsRunning, type RequestStore } from './context.ts'

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
 * as off Vercel; where the request cannot be told (see currentContext), no request data.
 */
export function provideVercelRequestContext(): void {
  const holder = globalThis as { [VERCEL_REQUEST_CONTEXT]?: unknown }
  if (holder[VERCEL_REQUEST_CONTEXT] !== undefined) return
  holder[VERCEL_REQUEST_CONTEXT] = { get: currentContext }
}

function currentContext(): VercelRequestContext | undefined {
  const store = requestStorage.getStore()
  if (store !== undefined) return contextOf(store)
  // The store is off (nothing has needed it yet), and a route handler's request may be running:
  // which one is unknown, and this may be the app's own code (tracers ask on every span). No
  // request data then, another request's headers above all; `waitUntil()` finds its work a home
  // when called (turning the store on, as `after()` does). No request at all: no context, no error made.
  return unscopedRequestsRunning() ? UNKNOWN_REQUEST : undefined
}

function contextOf(store: RequestStore): VercelRequestContext {
  const { handlers, request } = store
  return {
    waitUntil(task) {
      const work = started(task, handlers.after, request)
      if (work !== undefined) keepUploadsFor(request, work, () => handlers.after.hold())
    },
    get headers() {
      return Object.fromEntries(request.headers)
    },
    url: request.url,
  }
}

const UNKNOWN_REQUEST: VercelRequestContext = {
  waitUntil(task) {
    let stores: readonly RequestStore[]
    try {
      stores = requestStoresFor('waitUntil()')
    } catch {
      // Every request has ended since the context was read: nowhere to keep it, as off Vercel.
      return
    }
    const { handlers, request } = stores[0]!
    // Its failure is logged as no request's: the caller may be the app's own code, not the one
    // request running.
    const work = started(task, handlers.after, undefined)
    // One request running: the caller's, whose uploads the work may read.
    if (work !== undefined && stores.length === 1) keepUploadsFor(request, work, () => handlers.after.hold())
  },
  headers: {},
  url: '',
}

// The task's work, kept by `after` (a failure logged, `close()` waiting for it).
function started(task: PromiseLike<unknown> | (() => unknown), after: AfterWork, request: Request | undefined): PromiseLike<unknown> | undefined {
  try {
    const work = typeof task === 'function' ? task() : task
    if (!isThenable(work)) return undefined
    after.track(work, 'waitUntil()', request)
    return work
  } catch (error) {
    after.failed(error, 'waitUntil()', request)
    return undefined
  }
}
