/**
 * The method a lazily made request (lazy-request.ts) answers with the undici Request behind it.
 * Global (`Symbol.for`), so every copy of this package in the process copies the others' requests.
 */
export const REAL_REQUEST = Symbol.for('route-handlers.real-request')

interface LazilyMade {
  [REAL_REQUEST](): Request
}

/**
 * What the `Request` constructor (and `fetch()`) must be given to copy `input`: the real request
 * behind a lazily made one, anything else as it is. undici 7 (Node 24+) reads a request it copies
 * through private fields, which only a request its own constructor made has.
 */
export function copySource<T>(input: T): T | Request {
  return typeof (input as Partial<LazilyMade> | null | undefined)?.[REAL_REQUEST] === 'function' ? (input as LazilyMade)[REAL_REQUEST]() : input
}
