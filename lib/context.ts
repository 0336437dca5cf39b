import { AsyncLocalStorage } from 'node:async_hooks'
import type { ResponseCookie } from '@edge-runtime/cookies'
import { routeHandlersError } from './errors.ts'
import { processGlobal } from './process-global.ts'

/**
 * What `cookies()` keeps for the response: the cookies a handler set or deleted. A structural type,
 * because a second copy of this package may have created it.
 */
export interface ModifiedCookies {
  modified(): ResponseCookie[]
}

/** What `cookies()`, `headers()` and `redirect()` read during one request. */
export interface RequestStore {
  readonly request: Request
  /** A browser form post: `redirect()` answers 303 so the browser follows with a GET. */
  readonly isFormPost: boolean
  cookies?: ModifiedCookies
  headers?: Headers
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
 * {@link useRequestStore} when they load). Until one does, handlers run without the
 * AsyncLocalStorage: in Node 20 it puts a hook on every promise in the process, about a tenth of
 * a small request's cost, and nothing would read the store anyway. Route files load before the
 * first request, so the answer is settled by then.
 */
const storeUse = processGlobal('request-store-used', () => ({ used: false }))

export function useRequestStore(): void {
  storeUse.used = true
}

/** Runs `call` with `store` as the current request store, when anything can read it. */
export function withRequestStore<T>(store: RequestStore, call: () => T): T {
  return storeUse.used ? requestStorage.run(store, call) : call()
}
