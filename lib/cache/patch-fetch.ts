import { requestStorage, requestStoresFor, type RequestStore } from '../context.ts'
import { processGlobal } from '../process-global.ts'
import type { CachedFetchValue } from './cache-handler.ts'
import { fetchCacheKey } from './cache-key.ts'
import { INFINITE_CACHE } from './cache-life.ts'
import { fetchRevalidate, type NextFetchOptions } from './fetch-policy.ts'
import { requestImplicitTags } from './request-tags.ts'
import { collectTags } from './static-generation.ts'
import { STORE_UNAVAILABLE } from './store-guard.ts'
import { validateTags } from './validate-tags.ts'

/** Next.js's `CACHE_ONE_YEAR`: what a fetch cached "forever" is stored with. */
const CACHE_ONE_YEAR = 31536000

type FetchInit = RequestInit & { next?: NextFetchOptions }

const patched = processGlobal('fetch-patch', () => ({ original: undefined as typeof fetch | undefined }))

/**
 * Patches `globalThis.fetch` once per process so that a `fetch(url, { next: { revalidate, tags },
 * cache })` made inside a route handler is cached as Next.js caches it. Outside a route handler's
 * request the original `fetch` is called with the very same arguments.
 */
export function patchFetch(): void {
  if (patched.original) return
  const original = globalThis.fetch
  patched.original = original
  globalThis.fetch = function fetch(input: string | URL | Request, init?: FetchInit): Promise<Response> {
    const store = routeStore(input, init)
    if (!store) return original(input, init)
    return cachedFetch(original, store, input, init)
  } as typeof fetch
}

// The route handler request this fetch belongs to, if any. A fetch with Next's options (`next`,
// or a `cache` mode) in a request that runs outside the request store (nothing imported
// next/headers or next/cache) turns the store on, as after() does, and finds its request if it
// is the only one running.
function routeStore(input: string | URL | Request, init: FetchInit | undefined): RequestStore | undefined {
  const store = requestStorage.getStore()
  if (store) return store.route && store.phase !== 'after' ? store : undefined
  if (!hasCacheOptions(input, init)) return undefined
  try {
    const stores = requestStoresFor('fetch()')
    return stores.length === 1 && stores[0]!.route ? stores[0] : undefined
  } catch {
    return undefined
  }
}

function hasCacheOptions(input: string | URL | Request, init: FetchInit | undefined): boolean {
  if (init?.next !== undefined || init?.cache !== undefined) return true
  if (typeof input !== 'object' || !('method' in input)) return false
  return (input as Request & { next?: NextFetchOptions }).next !== undefined || input.cache !== 'default'
}

async function cachedFetch(original: typeof fetch, store: RequestStore, input: string | URL | Request, init: FetchInit | undefined): Promise<Response> {
  const isRequest = typeof input === 'object' && 'method' in input
  const url = isRequest ? input.url : String(input)
  const next = init?.next ?? (isRequest ? (input as Request & { next?: NextFetchOptions }).next : undefined)
  const headers = new Headers(init?.headers ?? (isRequest ? input.headers : undefined))
  const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase()
  const cache = init?.cache ?? (isRequest ? input.cache : undefined)
  const tags = validateTags(next?.tags ?? [], `fetch ${url}`)
  collectTags(store.generation, tags)
  const revalidate = fetchRevalidate({ url, method, cache: isRequest && !init?.cache && cache === 'default' ? undefined : cache, headers, next }, store)
  const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : init?.body == null ? undefined : null
  // Not cached, or a body this cache cannot key (a stream, FormData): the plain fetch.
  if (!(revalidate > 0) || body === null || (isRequest && input.body !== null)) return original(input, init)

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

  const found = await cacheEngine.getFetch(key, context)
  if (found === STORE_UNAVAILABLE) return original(input, init)
  if (found) {
    if (found.stale && !cacheEngine.inFlight(key)) {
      const refresh = cacheEngine.singleFlight(key, () => fetchAndStore(undefined)).catch((error: unknown) => {
        store.handlers.logger.error(`route-handlers: refreshing the cached fetch of ${url} failed; the stale response is used until it succeeds.`, error)
      })
      cacheEngine.inBackground(refresh)
    }
    return fromValue(found.value)
  }
  return fetchAndStore(init?.signal ?? (isRequest ? input.signal : undefined))
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
