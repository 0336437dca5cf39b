import { AsyncLocalStorage } from 'node:async_hooks'
import type { ResponseCookie } from '@edge-runtime/cookies'
import type { AfterQueue } from './after-queue.ts'
import type { AfterWork } from './after-work.ts'
import type { IncrementalCache, PendingRevalidation } from './cache/incremental-cache.ts'
import type { CacheUnit, StaticGeneration } from './cache/static-generation.ts'
import type { LoadedRoute } from './loaded-route.ts'
import type { RequestErrorReporter } from './instrumentation.ts'
import { routeHandlersError } from './errors.ts'
import { processGlobal } from './process-global.ts'
import type { Logger } from './types.ts'

/**
 * What `cookies()` keeps for the response: the cookies a handler set or deleted. A structural type,
 * because a second copy of this package may have created it.
 */
export interface ModifiedCookies {
  modified(): ResponseCookie[]
}

/** What a request's store knows of the route handlers serving it: one per `createRouteHandlers()`. */
export interface HandlersContext {
  /** Where `after()` work is kept until it settles, for `close()`. */
  readonly after: AfterWork
  /** What draft mode's `__prerender_bypass` cookie must carry (the `previewModeId` option). */
  readonly previewModeId: string
  /** The cache engine (the `cache` option's store). */
  readonly cache: IncrementalCache
  /** The `logger` option, for the warnings `next/cache` gives. */
  readonly logger: Logger
  /** The `instrumentation` file's `onRequestError`, for failures the host never sees (a background regeneration's). */
  readonly reportError?: RequestErrorReporter
  /** The `maxDuration` option in milliseconds: the time budget of route files that export none. */
  readonly maxDuration?: number
  /** True when a route file of the folder answers the mount-relative `pathname`. */
  readonly servesPath?: (pathname: string) => boolean
}

/** What `cookies()`, `headers()`, `redirect()` and `after()` read during one request. */
export interface RequestStore {
  readonly request: Request
  /** A browser form post: `redirect()` answers 303 so the browser follows with a GET. */
  readonly isFormPost: boolean
  readonly handlers: HandlersContext
  /** Set in the copy of the store that `after()` callbacks run in: the response has been sent. */
  readonly phase?: 'after'
  cookies?: ModifiedCookies
  headers?: Headers
  /** `draftMode()`'s object, made on first use (a structural type, like `cookies`). */
  draftMode?: { readonly isEnabled: boolean; enable(): void; disable(): void }
  /** The request's `after()` callbacks, once it has any. */
  after?: AfterQueue
  /** Set once the handler has settled and its response has gone to the host. */
  handedOver?: boolean
  /** The route file serving the request (its segment config, for `fetch()` and `next/cache`). */
  readonly route?: LoadedRoute
  /** Set while a GET runs to fill its route's cache entry (Next.js's prerender store). */
  readonly generation?: StaticGeneration
  /** Set inside `unstable_cache()` (and a `"use cache"` scope, should one exist): Next's cache work unit. */
  readonly unit?: CacheUnit
  /** `revalidateTag()`/`revalidatePath()` calls, applied before the response is sent. */
  pendingRevalidations?: PendingRevalidation[]
  /** Background cache refreshes (stale `unstable_cache`/`fetch` entries) started by this request. */
  backgroundWork?: Promise<unknown>[]
}

// One store per process, even when two copies of the package are loaded (say, the app's and a
// route file's).
export const requestStorage = processGlobal('request-store', () => new AsyncLocalStorage<RequestStore>())

/** The current request's store, or a clear error naming `caller` when there is none. */
export function getRequestStore(caller: string): RequestStore {
  const store = requestStorage.getStore()
  if (!store) throw routeHandlersError('RH_ERR_CONTEXT_MISSING', [caller])
  return store
}

/**
 * Whether any module in the process imported `next/headers` or `next/navigation` (they call
 * {@link useRequestStore} when they load), or called `after()`/`connection()` (see
 * {@link requestStoresFor}). Until then handlers run without the AsyncLocalStorage: in Node 20 it
 * puts a hook on every promise in the process, about a tenth of a small request's cost, and
 * nothing would read the store anyway. Route files load before the first request, so for
 * `next/headers` and `next/navigation` the answer is settled by then, unless a library loads them
 * lazily inside a handler (next-auth v4 does), or project code imports them after an `await`: a
 * library made for Next.js in the route graph, or a project file naming one of them, turns the
 * store on once the route files have loaded (`needsRequestStore` in load-route-module.ts), and a
 * handler that loads them during its synchronous run goes on in its own store (see
 * {@link useRequestStore}). On Node 24+ (AsyncContextFrame) the store costs less while on, but
 * still 1–1.5 µs of an async request's ~35 in an interleaved A/B: it is off there too.
 *
 * Generating a cached GET's entry needs the store while it runs (the generation it carries decides
 * what the handler's request data and `fetch()` calls do): it holds the store on
 * ({@link holdRequestStore}) and, where the store costs while on, turns it off again once no
 * generation runs and no handler that ran in it is still running, so the cached answers served
 * after it do not pay for it.
 */
const storeUse = processGlobal('request-store-use', () => ({ used: false, callsRunning: 0 }))
// Kept apart from `storeUse`, whose shape an earlier copy of the package may have made.
const storeHold = processGlobal('request-store-hold', () => ({ held: 0, heldRunning: 0 }))
// The handler call running synchronously outside the store now, and whether the store was entered
// for it (see useRequestStore).
const syncCall = processGlobal('request-store-sync-call', () => ({ store: undefined as RequestStore | undefined, entered: false }))

/**
 * Turns the store on for every request from now on. Called from inside a handler's synchronous run
 * (`require('next/headers')` in a library function, as next-auth v4's `getServerSession()` does),
 * it also enters that handler's store for the rest of its run, so what it does after its next
 * `await` (`cookies()`) finds its request.
 */
export function useRequestStore(): void {
  if (storeUse.used) return
  storeUse.used = true
  const running = syncCall.store
  if (running === undefined) return
  requestStorage.enterWith(running)
  syncCall.entered = true
  // In the store now: not one of the requests a first after() may be looking for.
  unlink(running as LinkedStore)
}

/** Keeps the store on until the returned function is called (once). */
export function holdRequestStore(): () => void {
  storeHold.held++
  let released = false
  return () => {
    if (released) return
    released = true
    storeHold.held--
    turnOffUnlessNeeded()
  }
}

function storeOn(): boolean {
  return storeUse.used || storeHold.held > 0
}

// Only the async_hooks implementation (Node 20, 22: an own `enabled` flag) costs while on; Node
// 24's AsyncContextFrame costs nothing, and its disable() would change the current frame only.
function turnOffUnlessNeeded(): void {
  if (storeOn() || storeHold.heldRunning > 0) return
  if ((requestStorage as { enabled?: boolean }).enabled === true) requestStorage.disable()
}

/** Runs `call(...args)` with `store` as the current request store, when anything can read it. */
export function withRequestStore<A extends unknown[], T>(store: RequestStore, call: (...args: A) => T, ...args: A): T {
  if (storeOn()) return requestStorage.run(store, call, ...args)
  storeUse.callsRunning++
  const outer = syncCall.store
  syncCall.store = store
  try {
    return call(...args)
  } finally {
    storeUse.callsRunning--
    syncCall.store = outer
    // The store was entered for this call (useRequestStore): what runs after it here is the
    // caller's, in the store of the call around this one, if any.
    if (syncCall.entered) {
      requestStorage.enterWith(outer as RequestStore)
      syncCall.entered = outer !== undefined
    }
  }
}

/**
 * Whether code running now belongs to a route handler's request: inside the request store, or,
 * while the store is off, inside the synchronous part of a handler call (after an `await` that
 * cannot be told from the app's own code, so the answer is then no).
 */
export function inRouteRequest(): boolean {
  if (!storeOn()) return storeUse.callsRunning > 0
  const store = requestStorage.getStore()
  return store?.route !== undefined && store.phase !== 'after'
}

/**
 * Handlers running while the store is off (see {@link useRequestStore}). `after()` and
 * `connection()` live in `next/server`, which every route file imports, so loading it cannot turn
 * the store on without costing every request; they turn it on when first called instead, and that
 * first call finds its request here. Shared by every copy of the package, like the store. A doubly
 * linked list, each store holding its link: entering and leaving are a few pointer writes (a `Set`
 * that fills and empties with every request keeps reallocating its table).
 */
interface UnscopedLink {
  previous: UnscopedLink | undefined
  next: UnscopedLink | undefined
  readonly store: RequestStore
}
const unscoped = processGlobal('unscoped-request-list', () => ({ first: undefined as UnscopedLink | undefined }))
const UNSCOPED = Symbol('route-handlers.unscoped')
const HELD = Symbol('route-handlers.held')
type LinkedStore = RequestStore & { [UNSCOPED]?: UnscopedLink; [HELD]?: boolean }

/**
 * A handler's store, made with the fields that entering and leaving the request set
 * (`handedOver`, the unscoped link): set later, they would reshape every store and give it an
 * out-of-object property array, per request.
 */
export function newRequestStore(
  request: Request,
  isFormPost: boolean,
  handlers: HandlersContext,
  route: LoadedRoute,
  generation: StaticGeneration | undefined,
): RequestStore {
  const store: LinkedStore = { request, isFormPost, handlers, route, generation, handedOver: false, [UNSCOPED]: undefined }
  return store
}

/**
 * Records a handler starting to run for `store` (then call {@link leaveRequest} once it has
 * settled): outside the AsyncLocalStorage, or inside it only while a generation holds it on.
 */
export function enterRequest(store: RequestStore): void {
  if (storeUse.used) return
  if (storeHold.held > 0) {
    storeHold.heldRunning++
    ;(store as LinkedStore)[HELD] = true
    return
  }
  const link: UnscopedLink = { previous: undefined, next: unscoped.first, store }
  if (unscoped.first) unscoped.first.previous = link
  unscoped.first = link
  ;(store as LinkedStore)[UNSCOPED] = link
}

export function leaveRequest(store: RequestStore): void {
  if ((store as LinkedStore)[HELD] === true) {
    ;(store as LinkedStore)[HELD] = false
    storeHold.heldRunning--
    return turnOffUnlessNeeded()
  }
  unlink(store as LinkedStore)
}

function unlink(store: LinkedStore): void {
  const link = store[UNSCOPED]
  if (link === undefined) return
  store[UNSCOPED] = undefined
  if (link.previous) link.previous.next = link.next
  else if (unscoped.first === link) unscoped.first = link.next
  if (link.next) link.next.previous = link.previous
}

/** Whether any route handler request is running outside the store now. */
export function unscopedRequestsRunning(): boolean {
  return unscoped.first !== undefined
}

/**
 * The store of the current request for `after()`/`connection()`, which turn the store on for every
 * later request. When one of them is first called while it was off, the caller's request is the
 * one running outside the store; if several are, which one called is unknown and all are returned.
 * Throws `RH_ERR_CONTEXT_MISSING` naming `caller` outside any request.
 */
export function requestStoresFor(caller: string): readonly RequestStore[] {
  // On for good, also when a generation holds it on now: their callbacks and the requests they
  // reach run later, in the store. Called during a handler's synchronous run, that handler goes on
  // in its store (useRequestStore), so a `next/headers` loaded later in it finds its request too.
  useRequestStore()
  const store = requestStorage.getStore()
  if (store) return [store]
  const running: RequestStore[] = []
  for (let link = unscoped.first; link; link = link.next) running.push(link.store)
  if (running.length > 0) return running
  throw routeHandlersError('RH_ERR_CONTEXT_MISSING', [caller])
}
