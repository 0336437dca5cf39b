import { markFetchBody } from '../body/body-reader.ts'
import { copySource } from '../body/copy-source.ts'
import { requestStorage, requestStoresFor, unscopedRequestsRunning, useRequestStore, type RequestStore } from '../context.ts'
import { assetResponse, routeAssetPath } from '../load/assets.ts'
import { processGlobal } from '../process-global.ts'
import type { CachedFetchValue } from './cache-handler.ts'
import { fetchCacheKey } from './cache-key.ts'
import { INFINITE_CACHE } from './cache-life.ts'
import { fetchRevalidate, type NextFetchOptions } from './fetch-policy.ts'
import { requestImplicitTags } from './request-tags.ts'
import { collectCaching, consumerWillCache } from './static-generation.ts'
import { STORE_UNAVAILABLE } from './store-guard.ts'
import { validateTags } from './validate-tags.ts'

/** Next.js's `CACHE_ONE_YEAR`: what a fetch cached "forever" is stored with. */
const CACHE_ONE_YEAR = 31536000

type FetchInit = RequestInit & { next?: NextFetchOptions }

const patched = processGlobal('fetch-patch', () => ({ original: undefined as typeof fetch | undefined }))

/**
 * Patches `globalThis.fetch` once per process so that a `fetch(url, { next: { revalidate, tags },
 * cache })` made inside a route handler is cached as Next.js caches it. Outside a route handler's
 * request the original `fetch` is called with the very same arguments (a lazily made request as the
 * real one behind it).
 */
export function patchFetch(): void {
  if (patched.original) return
  const original = globalThis.fetch
  patched.original = original
  globalThis.fetch = function fetch(given: string | URL | Request, init?: FetchInit): Promise<Response> {
    const asset = routeAssetPath(given)
    if (asset !== undefined && (init?.method === undefined || init.method.toUpperCase() === 'GET')) return assetResponse(asset)
    // A route handler's own request, made lazily, is fetched as the real request behind it.
    const input = copySource(given)
    const store = routeStore(input, init)
    // Marked, so that a route proxying it lets go of it at once when the client leaves.
    if (!store) return original(input, init).then(markFetchBody)
    return cachedFetch(original, store, input, init).then(markFetchBody)
  } as typeof fetch
}

// The route handler request this fetch belongs to, if any. Outside the request store (nothing
// imported next/headers or next/cache), only a route request running outside it can be this
// fetch's: with Next's `next` options the store is turned on, as after() does, and the request
// found if it is the only one running; a standard `cache` mode, which the app's own code uses too,
// is not enough to tell, so this fetch goes out plain and the store is turned on for the route
// requests that come next.
function routeStore(input: string | URL | Request, init: FetchInit | undefined): RequestStore | undefined {
  const store = requestStorage.getStore()
  if (store) return store.route && store.phase !== 'after' ? store : undefined
  if (!unscopedRequestsRunning()) return undefined
  if (hasNextOptions(input, init)) {
    const stores = requestStoresFor('fetch()')
    return stores.length === 1 && stores[0]!.route ? stores[0] : undefined
  }
  if (hasCacheMode(input, init)) useRequestStore()
  return undefined
}

function hasNextOptions(input: string | URL | Request, init: FetchInit | undefined): boolean {
  return init?.next !== undefined || (isRequest(input) && (input as Request & { next?: NextFetchOptions }).next !== undefined)
}

function hasCacheMode(input: string | URL | Request, init: FetchInit | undefined): boolean {
  return init?.cache !== undefined || (isRequest(input) && input.cache !== 'default')
}

function isRequest(input: string | URL | Request): input is Request {
  return typeof input === 'object' && 'method' in input
}

async function cachedFetch(original: typeof fetch, store: RequestStore, input: string | URL | Request, init: FetchInit | undefined): Promise<Response> {
  const fromRequest = isRequest(input)
  const url = fromRequest ? input.url : String(input)
  const next = init?.next ?? (fromRequest ? (input as Request & { next?: NextFetchOptions }).next : undefined)
  const headers = new Headers(init?.headers ?? (fromRequest ? input.headers : undefined))
  const method = (init?.method ?? (fromRequest ? input.method : 'GET')).toUpperCase()
  const cache = init?.cache ?? (fromRequest ? input.cache : undefined)
  const tags = validateTags(next?.tags ?? [], `fetch ${url}`)
  collectCaching(store, undefined, tags)
  const revalidate = fetchRevalidate({ url, method, cache: fromRequest && !init?.cache && cache === 'default' ? undefined : cache, headers, next }, store)
  const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : init?.body == null ? undefined : null
  // Not cached, or a body this cache cannot key (a stream, FormData): the plain fetch.
  if (!(revalidate > 0) || body === null || (fromRequest && input.body !== null)) return original(input, init)

  const cacheEngine = store.handlers.cache
  const key = fetchCacheKey(url, {
    method,
    headers: Object.fromEntries([...headers].filter(([name]) => name !== 'traceparent' && name !== 'tracestate')),
    mode: init?.mode,
    redirect: init?.redirect,
    credentials: init?.credentials,
    referrer: init?.referrer,
    referrerPolicy: init?.referrerPolicy,
    integrity: init?.integrity,
    cache,
    body: body === undefined ? [] : [body],
  })
  const context = { tags, softTags: requestImplicitTags(store), revalidate, fetchUrl: url }
  const fetchAndStore = async (signal: AbortSignal | null | undefined): Promise<Response> => {
    const response = await original(input, { ...init, signal })
    if (response.status !== 200) return response
    const bytes = Buffer.from(await response.arrayBuffer())
    const value: CachedFetchValue = {
      kind: 'FETCH',
      data: { headers: storedHeaders(response.headers), body: bytes.toString('base64'), url: response.url, status: response.status },
      tags,
      revalidate: revalidate >= INFINITE_CACHE ? CACHE_ONE_YEAR : revalidate,
    }
    await cacheEngine.setFetch(key, value, url)
    return fromValue(value)
  }

  const signal = init?.signal ?? (fromRequest ? input.signal : undefined)
  let found = await cacheEngine.getFetch(key, context)
  // A miss while another request of this process fetches the key after a miss of its own: wait for
  // it (or for this fetch's own signal), then read what it stored, as Next.js holds the key's lock
  // (`incrementalCache.lock`) around its read and fetch. Without an entry then (a non-200 answer, a
  // failed or aborted fetch), this request fetches for itself. A background refresh of a stale
  // entry is not waited for: a miss after `revalidateTag` must not get what it fetched before.
  const missFlight = `miss:${key}`
  const running = found === null ? cacheEngine.flightSettled(missFlight) : undefined
  if (running) {
    await settledUnlessAborted(running, signal)
    found = await cacheEngine.getFetch(key, context)
  }
  if (found === STORE_UNAVAILABLE) return original(input, init)
  if (found) {
    // What is made now goes into a cache entry (a GET generated for it, a "use cache" function):
    // it must not be made of stale data (Next waits for fresh data there too).
    if (found.stale && consumerWillCache(store)) return fetchAndStore(signal)
    if (found.stale && !cacheEngine.inFlight(key)) {
      const refresh = cacheEngine.singleFlight(key, () => fetchAndStore(undefined)).catch((error: unknown) => {
        store.handlers.logger.error(`route-handlers: refreshing the cached fetch of ${url} failed; the stale response is used until it succeeds.`, error)
      })
      cacheEngine.inBackground(refresh)
    }
    return fromValue(found.value)
  }
  // The first miss fetches in a flight that later misses wait for (above).
  return running || cacheEngine.inFlight(missFlight) ? fetchAndStore(signal) : cacheEngine.singleFlight(missFlight, () => fetchAndStore(signal))
}

/** Waits for `settled`, or rejects as `fetch` does once `signal` aborts (at once if it has). */
function settledUnlessAborted(settled: Promise<void>, signal: AbortSignal | null | undefined): Promise<void> {
  if (!signal) return settled
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    void settled.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

function fromValue(value: CachedFetchValue): Response {
  const response = new Response(Buffer.from(value.data.body, 'base64'), { headers: value.data.headers, status: value.data.status })
  Object.defineProperty(response, 'url', { value: value.data.url })
  return response
}

// The body is stored decoded: the encoding and length of the wire no longer describe it.
function storedHeaders(headers: Headers): Record<string, string> {
  const stored = Object.fromEntries(headers)
  delete stored['content-encoding']
  delete stored['content-length']
  return stored
}
