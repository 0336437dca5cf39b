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
