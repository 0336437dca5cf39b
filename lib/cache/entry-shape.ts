import type { CachedFetchValue, CachedRouteValue } from './cache-handler.ts'

/**
 * A route entry a store handed back, as the cache can replay it, or `null` when its shape is not
 * Next's (the request then counts as a miss rather than failing). A body serialized with
 * `JSON.stringify` (`{ type: 'Buffer', data: [...] }`, what a Redis handler storing entries as JSON
 * strings gives back, as `@neshca/cache-handler`'s do) is made bytes again.
 */
export function routeEntryValue(value: CachedRouteValue): CachedRouteValue | null {
  const body = bytesOf(value.body as unknown)
  if (body === null || typeof value.headers !== 'object' || value.headers === null) return null
  if (value.status !== undefined && typeof value.status !== 'number') return null
  return body === value.body ? value : { ...value, body }
}

/** A fetch or `unstable_cache` entry as the cache can use it, or `null` (see {@link routeEntryValue}). */
export function fetchEntryValue(value: CachedFetchValue): CachedFetchValue | null {
  const data = value.data as Partial<CachedFetchValue['data']> | undefined
  return typeof data === 'object' && data !== null && typeof data.body === 'string' ? value : null
}

function bytesOf(body: unknown): Buffer | null {
  if (Buffer.isBuffer(body)) return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const serialized = body as { type?: unknown; data?: unknown } | null
  if (typeof serialized === 'object' && serialized !== null && serialized.type === 'Buffer' && Array.isArray(serialized.data)) {
    return Buffer.from(serialized.data as number[])
  }
  return null
}
