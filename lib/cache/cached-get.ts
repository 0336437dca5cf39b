import { isUtf8 } from 'node:buffer'
import { holdRequestStore, requestStorage, useRequestStore, type HandlersContext } from '../context.ts'
import { dispatch } from '../dispatch.ts'
import { HOP_BY_HOP } from '../handler-result.ts'
import type { LoadedRoute } from '../loaded-route.ts'
import { hasDraftModeCookie, mayHaveDraftModeCookie } from '../next/draft-mode.ts'
import { matchRouteFile } from '../match.ts'
import { NextRequest, nextRequestBasePath } from '../next/next-request.ts'
import { preparedResponse, type HeaderPair } from '../next/next-response.ts'
import { whenReady, type MaybePromise } from '../maybe-promise.ts'
import type { Params } from '../types.ts'
import type { CacheControl, CachedRouteValue } from './cache-handler.ts'
import { cacheControlHeader, routeCacheControl } from './cache-control.ts'
import { INFINITE_CACHE } from './cache-life.ts'
import { implicitTags, mountedCacheKey, routeCacheKey } from './implicit-tags.ts'
import { CACHE_CONTROL_HEADER, CACHE_TAGS_HEADER, cacheControlHeaderValue } from './incremental-cache.ts'
import { requestView } from './request-views.ts'
import type { StaticGeneration } from './static-generation.ts'
import { STORE_UNAVAILABLE } from './store-guard.ts'
import { isListed, listedParams, listedPath, staticParamsAllow } from './static-params.ts'

/**
 * How long one instance holds the right to regenerate a stale entry without renewing it (if it
 * stops, another may regenerate that much later), and how long a regeneration keeps renewing it.
 */
const REGENERATION_LOCK_MS = 30_000
const LONGEST_REGENERATION_MS = 5 * 60_000
const NULL_BODY_STATUSES = new Set([204, 205, 304])
const PRIVATE_NO_CACHE = 'private, no-cache, no-store, max-age=0, must-revalidate'

// Routes found dynamic while generated (they read request data in `dynamic = 'auto'`): as after
// `next build`, they are served uncached from then on. Per loaded module, so a reload starts over.
const dynamicRoutes = new WeakSet<LoadedRoute>()

// `keep`: false for an answer `next build` would keep no prerender of (see notKeptAsBuildWould),
// buffered all the same so every request that joined its generation gets a copy.
type Generated = { kind: 'entry'; value: CachedRouteValue; cacheControl: CacheControl; tags: string[]; keep: boolean } | { kind: 'uncached'; response: Response }

// Implicit tags by route and mount-relative pathname, as matched: the same on every request for one
// path (a few hundred paths a route at most are kept; a route with more works them out each time
// beyond that). Paths in tags are the route folder's, as `revalidatePath()` names them.
const tagsByRoute = new WeakMap<LoadedRoute, Map<string, string[]>>()
const TAGGED_PATHS_PER_ROUTE = 512

function implicitTagsOf(route: LoadedRoute, pathname: string): string[] {
  let byPath = tagsByRoute.get(route)
  if (!byPath) tagsByRoute.set(route, (byPath = new Map()))
  let tags = byPath.get(pathname)
  if (!tags) {
    tags = implicitTags(route.entry.relativeFile, routeCacheKey(pathname))
    if (byPath.size < TAGGED_PATHS_PER_ROUTE) byPath.set(pathname, tags)
  }
  return tags
}

/**
 * True for a GET or a HEAD of a route whose segment config caches it: a HEAD is answered from the
 * GET's entry, as `next start` answers it, also when the file exports its own HEAD.
 */
export function cachesRequest(route: LoadedRoute, method: string): boolean {
  return route.config.cachesGet && (method === 'GET' || method === 'HEAD')
}

/**
 * Answers a GET (or an automatic HEAD) of a route whose segment config caches it, as `next start`
 * serves an ISR route handler: a fresh entry is a `HIT`; a stale one is served at once (`STALE`)
 * and regenerated once in the background; a missing one is generated once for all concurrent
 * requests (`MISS`). Keyed by the mount-relative pathname as matched, raw (no query). A store that
 * fails answers uncached, and so does `development` (dev reload on), as `next dev` does.
 * `dynamicParams = false` answers `null` (no route: the host's not found) for params
 * `generateStaticParams` did not list.
 */
export function serveCached(
  route: LoadedRoute,
  request: NextRequest,
  params: Params,
  pathname: string,
  handlers: HandlersContext,
  development = false,
): MaybePromise<Response | null> {
  if (dynamicRoutes.has(route)) return dispatch(route, request, params, false, handlers)
  // Draft mode is never cached, and says so (Next.js's app-route handler).
  if (hasDraftModeCookie(request, handlers.previewModeId)) return whenReady(dispatch(route, request, params, false, handlers), privateResponse)
  if (!route.config.dynamicParams) {
    return staticParamsAllow(route, params).then(async (allowed) => {
      if (allowed) return serveEntry(route, request, params, pathname, handlers, development)
      // Next.js's build found the route dynamic, and then serves every path: the first listed
      // path generated here finds it out the same way.
      if (await foundDynamic(route, request, handlers, development)) return dispatch(route, request, params, false, handlers)
      // A path off the list is no route's, as Next.js answers it with its 404 page: the host's not-found answer.
      return null
    })
  }
  return serveEntry(route, request, params, pathname, handlers, development)
}

// Routes whose GET made or found a cache entry (they read no request data), the generations run
// to find out, and what the last one that decided nothing answers until the next may run, by route.
const staticRoutes = new WeakSet<LoadedRoute>()
const prerenders = new WeakMap<LoadedRoute, Promise<void>>()
const prerendersHeldOff = new WeakMap<LoadedRoute, { until: number; serves: boolean }>()
/** How long a listed path's generation may run when neither the route nor the options give a `maxDuration`. */
const PRERENDER_BUDGET_MS = 60_000
/** How long after a failed one the next is held off (as a failed regeneration's). */
const PRERENDER_RETRY_MS = 3_000

/**
 * Whether an unlisted param of a `dynamic = 'auto'` route is served, as after `next build`: when
 * no request has told whether the route is dynamic, its first listed path is generated, as the
 * build prerenders it, with a request of that path on this request's origin and none of its
 * headers (its entry is kept as the build's is). Found dynamic, the route serves every param. A
 * listed path answering a status the build keeps no prerender of (a 410, a 500) leaves Next's
 * route without its list, so the param is served, uncached; a generation that fails or outlasts
 * its budget (the route's `maxDuration`, or the option's, else a minute) is logged, and the param
 * is not found. Either holds for a few seconds, then the listed path is generated again.
 */
async function foundDynamic(route: LoadedRoute, request: NextRequest, handlers: HandlersContext, development: boolean): Promise<boolean> {
  if (dynamicRoutes.has(route)) return true
  if (staticRoutes.has(route) || route.config.dynamic === 'force-static' || route.config.dynamic === 'error') return false
  const heldOff = prerendersHeldOff.get(route)
  if (heldOff !== undefined && heldOff.until > Date.now()) return heldOff.serves
  let prerender = prerenders.get(route)
  if (!prerender) {
    const holdOff = (serves: boolean) => void prerendersHeldOff.set(route, { until: Date.now() + PRERENDER_RETRY_MS, serves })
    prerender = prerenderListed(route, request, handlers, development)
      .then((kept) => {
        if (!kept && !dynamicRoutes.has(route) && !staticRoutes.has(route)) holdOff(true)
      })
      .catch((error: unknown) => {
        holdOff(false)
        handlers.logger.error(
          `route-handlers: generating a path generateStaticParams() lists for ${route.entry.pattern}, to find out whether the route is dynamic (as next build does), failed; params off its list are not found until it is tried again, in ${PRERENDER_RETRY_MS / 1000} s at the earliest.`,
          error,
        )
      })
      .finally(() => prerenders.delete(route))
    prerenders.set(route, prerender)
  }
  await prerender
  if (dynamicRoutes.has(route) || staticRoutes.has(route)) return dynamicRoutes.has(route)
  const decided = prerendersHeldOff.get(route)
  return decided !== undefined && decided.serves && decided.until > Date.now()
}

// Resolves false when the listed path answered with a status no prerender is kept of.
async function prerenderListed(route: LoadedRoute, request: NextRequest, handlers: HandlersContext, development: boolean): Promise<boolean> {
  const basePath = nextRequestBasePath(request) ?? ''
  for (const entry of await listedParams(route)) {
    const path = listedPath(route, entry)
    // Its params as a request of the path has them (decoded); a path no request could have is passed over.
    const match = path === undefined ? null : matchRouteFile(route.entry, path)
    if (match === null || match.error) continue
    // The route's own `maxDuration`, else the option's, else a minute; `Infinity` (longer than any
    // timer) is none, as for its requests.
    const budget = route.maxDuration ?? handlers.maxDuration ?? PRERENDER_BUDGET_MS
    // Aborted when the budget runs out, as a request's signal is: the handler's own fetches stop too.
    const signal = budget === Infinity ? undefined : AbortSignal.timeout(budget)
    const listedRequest = new NextRequest(new URL(`${basePath}${path}`, request.url), { nextConfig: { basePath }, signal })
    const generated = serveEntry(route, listedRequest, match.params, path!, handlers, development)
    const response = signal === undefined ? await generated : await untilAborted(generated, signal, cancelBody)
    if (dynamicRoutes.has(route)) {
      await cancelBody(response)
      return true
    }
    // An entry made or found is a static route's; a memory store's HIT (shared by two routers)
    // does not pass serveFromStore, and says so in its header.
    if (response !== null && response.headers.has('x-nextjs-cache')) staticRoutes.add(route)
    return staticRoutes.has(route)
  }
  return true
}

/** `work`, or the signal's reason once it aborts first; what `work` gives after that goes to `discard`. */
function untilAborted<T>(work: MaybePromise<T>, signal: AbortSignal, discard: (late: T) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    signal.addEventListener('abort', abort, { once: true })
    Promise.resolve(work)
      .then((value) => (signal.aborted ? void discard(value) : resolve(value)), reject)
      .finally(() => signal.removeEventListener('abort', abort))
  })
}

// A generated answer nobody will read (its stream's source may hold a connection open).
function cancelBody(response: Response | null): Promise<void> | undefined {
  return response?.body?.cancel().catch(() => {})
}

// A fresh entry in a store that answers at once (the memory store) is sent in the same turn. The
// key is the mount path and the path as matched, raw: the URL parser would resolve `/blog/..` to
// `/` and file blog/[slug]'s answer under the root route's key.
function serveEntry(route: LoadedRoute, request: NextRequest, params: Params, pathname: string, handlers: HandlersContext, development: boolean): MaybePromise<Response | null> {
  const key = mountedCacheKey(nextRequestBasePath(request) ?? '', pathname)
  const configured = configuredRevalidate(route)
  if (!development) {
    const fresh = freshEntry(route, key, pathname, configured, handlers, request.method)
    if (fresh) return fresh
  } else {
    handlers.cache.resetRequestCache()
  }
  return serveFromStore(route, request, params, handlers, development, key, implicitTagsOf(route, pathname), configured)
}

/**
 * The `HIT` for a GET of a cached route when the store holds a fresh entry and answers at once
 * (the memory store), made without the request: hosts send it before building one. `undefined`
 * whenever anything else could apply — the route turned dynamic, params `dynamicParams = false`
 * must check, a raw `Cookie` header that may carry draft mode's cookie, no fresh entry — and the
 * host then builds the request and calls `respond()`.
 */
export function freshCachedResponse(route: LoadedRoute, pathname: string, basePath: string, cookieHeader: string | undefined, handlers: HandlersContext): Response | undefined {
  if (dynamicRoutes.has(route) || !route.config.dynamicParams || mayHaveDraftModeCookie(cookieHeader)) return undefined
  return freshEntry(route, mountedCacheKey(basePath, pathname), pathname, configuredRevalidate(route), handlers, 'GET')
}

function freshEntry(route: LoadedRoute, key: string, pathname: string, configured: number | false, handlers: HandlersContext, method: string): Response | undefined {
  const cache = handlers.cache
  // Next.js calls it at the start of every request to an ISR route.
  cache.resetRequestCache()
  const now = cache.getRouteNow(key, configured, implicitTagsOf, route, pathname)
  if (!now || now.stale) return undefined
  return fromEntry(now.value, now.cacheControl ?? routeCacheControl(configured), 'HIT', method)
}

async function serveFromStore(
  route: LoadedRoute,
  request: NextRequest,
  params: Params,
  handlers: HandlersContext,
  development: boolean,
  key: string,
  tags: string[],
  configured: number | false,
): Promise<Response | null> {
  const cache = handlers.cache
  const generate = (revalidating = false) => generateEntry(route, request, params, handlers, tags, configured, revalidating)
  // `next dev` keeps no route responses: each request generates one (the request seen as in production).
  if (development) return uncached(await generate(), request.method)
  const found = await cache.getRoute(key, { tags, revalidate: configured })
  if (found === STORE_UNAVAILABLE) return uncached(await generate(), request.method)
  if (found) {
    // An entry (this instance's, or another's through a shared store) is a static route's.
    staticRoutes.add(route)
    if (found.stale) {
      const stillStale = async () => {
        const current = await cache.getRoute(key, { tags, revalidate: configured })
        return current === STORE_UNAVAILABLE || current === null || current.stale
      }
      // Reported as Next.js reports a failed background revalidation (onRequestError's `revalidateReason: 'stale'`).
      const report = handlers.reportError
      const reportFailure = report && ((error: unknown) => report(error, request, route.entry.pattern, 'stale'))
      regenerateInBackground(key, () => generate(true), stillStale, handlers, found.cacheControl ?? routeCacheControl(configured), reportFailure)
    }
    const cacheControl = found.cacheControl ?? routeCacheControl(configured)
    return fromEntry(found.value, cacheControl, found.stale ? 'STALE' : 'HIT', request.method)
  }
  // A HEAD has no body to cache: on a miss it is answered as any uncached HEAD (the file's own
  // HEAD, or GET without its body).
  if (request.method === 'HEAD') return dispatch(route, request, params, false, handlers)
  let first = false
  const produce = async (): Promise<Generated> => {
    first = true
    const result = await generate()
    if (result.kind === 'entry' && result.keep) await cache.setRoute(key, result.value, result.cacheControl, result.tags)
    return result
  }
  // The flight joined may be a background regeneration (the entry expired while it ran): its
  // answer is shared the same way, and when it made none (another instance holds the lock, or it
  // failed) this request generates its own.
  const generated = (await cache.singleFlight<Generated | null>(key, produce)) ?? (await produce())
  if (generated.kind === 'uncached') return first ? generated.response : dispatch(route, request, params, false, handlers)
  // An answer not kept goes to each request that joined its generation, as it is, uncached.
  if (!generated.keep) return uncached(generated, request.method)
  return fromEntry(generated.value, generated.cacheControl, 'MISS', request.method)
}

/** The route's own `revalidate`: `false` (never) for `force-static`/`error` without one. */
function configuredRevalidate(route: LoadedRoute): number | false {
  const { revalidate } = route.config
  return revalidate === undefined || revalidate === false || revalidate >= INFINITE_CACHE ? false : revalidate
}

/** Runs the GET handler as Next.js statically generates a route handler, and buffers its answer. */
async function generateEntry(
  route: LoadedRoute,
  request: NextRequest,
  params: Params,
  handlers: HandlersContext,
  tags: string[],
  revalidate: number | false,
  revalidating: boolean,
): Promise<Generated> {
  const mode = route.config.dynamic === 'force-static' || route.config.dynamic === 'error' ? route.config.dynamic : 'auto'
  const generation: StaticGeneration = { dynamic: mode, route: route.entry.pattern, revalidate, tags: [...tags] }
  // The store dispatch makes for this run, found by the generation it carries.
  const store = () => {
    const current = requestStorage.getStore()
    return current?.generation === generation ? current : undefined
  }
  // A HEAD's regeneration runs GET, and the handler sees a GET (review: a handler answering HEAD
  // with no body had that stored for every GET).
  const getRequest = request.method === 'HEAD' ? asGet(request) : request
  const view = requestView(getRequest, mode, store, route.entry.pattern)
  // The store is on while the handler runs and its body is read, and may go off after.
  const release = holdRequestStore()
  let response: Response
  let body: Buffer
  let keep: boolean
  try {
    response = (await dispatch(route, getRequest as NextRequest, params, false, handlers, generation, view))!
    if (generation.usedDynamic !== undefined || generation.revalidate === 0) {
      dynamicRoutes.add(route)
      // Its body is still to be streamed, by code that may read the store (after(), a fetch with
      // Next's options) after the hold ends: the store stays on, as it would for any route reading
      // request data inside it.
      useRequestStore()
      return { kind: 'uncached', response }
    }
    keep = !(await notKeptAsBuildWould(route, params, response.status, revalidating))
    body = Buffer.from(await response.arrayBuffer())
  } finally {
    release()
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (keep) staticRoutes.add(route)
  headers[CACHE_TAGS_HEADER] = generation.tags.join(',')
  const cacheControl = routeCacheControl(generation.revalidate, generation.expire)
  headers[CACHE_CONTROL_HEADER] = cacheControlHeaderValue(cacheControl)
  return {
    kind: 'entry',
    value: { kind: 'APP_ROUTE', body, status: response.status, headers },
    cacheControl,
    tags: generation.tags,
    keep,
  }
}

/**
 * `request` with `method` GET. Its methods run on the request itself: undici's keep their state
 * in private fields (Node 24), which a proxy does not have.
 */
function asGet(request: NextRequest): NextRequest {
  return new Proxy(request, {
    get(target, prop) {
      if (prop === 'method') return 'GET'
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/**
 * `next build` keeps a prerender only for a status below 400, or 404: another (a 500 while a
 * database is down, a 401) is not kept, and `next start` runs that path on every request. Here a
 * path the build prerenders (a route without params, or a path `generateStaticParams()` lists)
 * whose generation on a miss answers such a status is served uncached and not stored, and the
 * next request generates it again: it is kept once it answers well, as after a build that ran
 * while the database was up. A stale entry's regeneration, and a path generated on demand, keep
 * whatever they answer, as Next keeps them. Nothing is decided for good: an outage at start-up
 * leaves no instance uncached.
 */
async function notKeptAsBuildWould(route: LoadedRoute, params: Params, status: number, revalidating: boolean): Promise<boolean> {
  if (status < 400 || status === 404 || revalidating) return false
  // A route without params has one path, which the build prerenders.
  if (route.entry.staticPath !== undefined) return true
  // A generateStaticParams() that fails (its database down too) may list it: not kept.
  return isListed(route, params).catch(() => true)
}

/**
 * Regenerates a stale entry once across instances: the lock admits one, and the one admitted reads
 * the entry again first, since another instance may have regenerated it and let go of the lock
 * between this instance's read and its lock. A regeneration that fails is not tried again for a
 * few seconds — the entry's `revalidate` held within 3–30 s, as Next's response cache retries —
 * by any instance: the failing one keeps the lock that long, and this process holds off. The stale
 * entry stays as it is meanwhile (stale on every instance, not written again, so nothing newer is
 * overwritten and no revalidation undone), and is served as `STALE`.
 */
function regenerateInBackground(
  key: string,
  generate: () => Promise<Generated>,
  stillStale: () => Promise<boolean>,
  handlers: HandlersContext,
  staleCacheControl: CacheControl,
  reportFailure: ((error: unknown) => Promise<void>) | undefined,
): void {
  const cache = handlers.cache
  if (cache.inFlight(key) || cache.regenerationHeldOff(key)) return
  // Resolves what it generated (a miss that joins it answers with that), or null.
  const regeneration = cache.singleFlight(key, async (): Promise<Generated | null> => {
    if (!(await cache.lockRegeneration(key, REGENERATION_LOCK_MS))) return null
    let failed = false
    const stopRenewing = cache.keepRegenerationLock(key, REGENERATION_LOCK_MS, LONGEST_REGENERATION_MS)
    try {
      if (!(await stillStale())) return null
      const result = await generate()
      if (result.kind === 'entry') await cache.setRoute(key, result.value, result.cacheControl, result.tags)
      else void result.response.body?.cancel().catch(() => {})
      return result
    } catch (error) {
      // Before the lock is kept for the retry's delay, which a renewal must not lengthen.
      stopRenewing()
      failed = true
      const retrySeconds = regenerationRetrySeconds(staleCacheControl)
      handlers.logger.error(`route-handlers: regenerating the cached response of ${key} failed; the stale entry is served on, and regenerated again after ${retrySeconds} s.`, error)
      await reportFailure?.(error)
      await cache.holdOffRegeneration(key, retrySeconds * 1000)
      return null
    } finally {
      stopRenewing()
      if (!failed) await cache.unlockRegeneration(key)
    }
  })
  cache.inBackground(regeneration)
}

// How long after a failed regeneration the next may run: Next's response cache stores the stale
// entry again with its `revalidate` held within 3–30 s (`false` counts as none: 3 s).
function regenerationRetrySeconds(cacheControl: CacheControl): number {
  return Math.min(Math.max(cacheControl.revalidate || 3, 3), 30)
}

// A text entry's replay, worked out once per stored value: its body as text, its headers as pairs,
// and the last pairs sent for it (a run of HITs under one cache control sends the same ones).
interface Replay {
  text: string
  pairs: HeaderPair[]
  hasCacheControl: boolean
  sent?: { state: string; from: CacheControl; cacheControl: string; pairs: readonly HeaderPair[] }
}
const replays = new WeakMap<CachedRouteValue, Replay | null>()

function replayOf(value: CachedRouteValue): Replay | null {
  let replay = replays.get(value)
  if (replay !== undefined) return replay
  replay = null
  // Bytes that are not UTF-8 text (an image, say) go out as bytes, through a real Response.
  if (isUtf8(value.body)) {
    const pairs: HeaderPair[] = []
    const encoded = value.headers['content-encoding'] !== undefined
    for (const [name, field] of Object.entries(value.headers)) {
      if (field === undefined || name === 'x-nextjs-cache' || !replayed(name, encoded)) continue
      if (Array.isArray(field)) for (const item of field) pairs.push([name, item])
      else pairs.push([name, field as string])
    }
    replay = { text: value.body.toString('utf8'), pairs, hasCacheControl: pairs.some(([name]) => name === 'cache-control') }
  }
  replays.set(value, replay)
  return replay
}

/**
 * Whether an entry's header goes out with it: not the cache's own, and not those an entry written
 * by another version or app may hold that a route's answer never carries here: hop-by-hop ones,
 * and `Content-Encoding` with the `Content-Length` beside it (`next start` stores a route's
 * headers as they were and drops those two only when it sends them; the body is decoded).
 */
function replayed(name: string, encoded: boolean): boolean {
  if (name === CACHE_TAGS_HEADER || name === CACHE_CONTROL_HEADER || HOP_BY_HOP.has(name) || name === 'content-encoding') return false
  return !(encoded && name === 'content-length')
}

/**
 * A cached entry as the response `next start` sends for it. A text body on a GET is replayed
 * without building an undici `Response` or `Headers` (they cost more than the rest of a HIT).
 */
function fromEntry(value: CachedRouteValue, cacheControl: CacheControl, state: 'HIT' | 'MISS' | 'STALE', method: string): Response {
  const replay = method === 'HEAD' || NULL_BODY_STATUSES.has(value.status) ? null : replayOf(value)
  if (replay) return preparedResponse(replay.text, value.status || 200, replayPairs(replay, state, cacheControl))
  const headers = new Headers()
  const encoded = value.headers['content-encoding'] !== undefined
  for (const [name, field] of Object.entries(value.headers)) {
    if (field === undefined || !replayed(name, encoded)) continue
    if (Array.isArray(field)) for (const item of field) headers.append(name, item)
    else headers.set(name, field)
  }
  headers.set('x-nextjs-cache', state)
  if (!headers.has('cache-control')) headers.set('cache-control', cacheControlHeader(cacheControl))
  const noBody = method === 'HEAD' || NULL_BODY_STATUSES.has(value.status)
  // A view on the stored bytes, not a copy (a Buffer's backing store is an ArrayBuffer).
  const body = noBody ? null : new Uint8Array(value.body.buffer as ArrayBuffer, value.body.byteOffset, value.body.byteLength)
  return new Response(body, { status: value.status || 200, headers })
}

// Read only, by the hosts and by a response's headers when something asks for them (a copy).
function replayPairs(replay: Replay, state: string, cacheControl: CacheControl): readonly HeaderPair[] {
  const sent = replay.sent
  if (sent && sent.state === state && sent.from === cacheControl) return sent.pairs
  const control = replay.hasCacheControl ? '' : cacheControlHeader(cacheControl)
  if (sent && sent.state === state && sent.cacheControl === control) {
    sent.from = cacheControl
    return sent.pairs
  }
  const pairs: HeaderPair[] = [...replay.pairs, ['x-nextjs-cache', state]]
  if (control) pairs.push(['cache-control', control])
  replay.sent = { state, from: cacheControl, cacheControl: control, pairs }
  return pairs
}

/** The store is unavailable: the generated answer, without cache headers. */
function uncached(generated: Generated, method: string): Response {
  if (generated.kind === 'uncached') return generated.response
  const response = fromEntry(generated.value, generated.cacheControl, 'MISS', method)
  response.headers.delete('x-nextjs-cache')
  if (generated.value.headers['cache-control'] === undefined) response.headers.delete('cache-control')
  return response
}

/** A draft mode answer: `Cache-Control` says no cache may keep it. */
function privateResponse(response: Response | null): Response | null {
  if (!response) return response
  const headers = new Headers(response.headers)
  headers.set('cache-control', PRIVATE_NO_CACHE)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}
