import { deserialize, serialize } from 'node:v8'
import { routeHandlersError } from '../errors.ts'

/**
 * A `"use cache"` function's result as it is stored, and the copy each caller gets back.
 *
 * Next.js 16 stores the result through React's Flight serialization, which throws for a class
 * instance or a null-prototype object (a `Response`, an ORM model, `Object.create(null)`), calls
 * `toJSON()` where an object has one (a Prisma `Decimal` comes back a string, a `URL` its `href`),
 * and turns other iterables into arrays. V8's serialization, which stores it here, would keep a
 * class instance's fields as a plain object (a `Response` as `{}`) without a word, so the result
 * is first made what Flight would make of it; what Flight keeps as it is (Date, Map, Set, bigint,
 * typed arrays, ArrayBuffer, DataView, Error) is kept.
 */
export function encodedResult(value: unknown, name: string): string {
  const flight = flightValue(value, name, undefined, 'result', new Map())
  try {
    return serialize(flight).toString('base64')
  } catch (error) {
    throw routeHandlersError('RH_ERR_USE_CACHE_RESULT', [name, (error as Error).message], { cause: error })
  }
}

/** The stored result, or nothing when another Node line wrote it in a newer serialization format. */
export function decodedResult(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: deserialize(Buffer.from(body, 'base64')) }
  } catch {
    return { ok: false }
  }
}

// Kept as they are: what Flight keeps (Date, typed arrays, ArrayBuffer, DataView) and V8's
// serialization keeps as well (Error); what Flight streams (a promise, a ReadableStream, a Blob,
// FormData, an async iterable), which V8's serialization then refuses with its own message.
function keptAsIs(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    value instanceof Error ||
    typeof (value as { then?: unknown }).then === 'function' ||
    value instanceof ReadableStream ||
    value instanceof Blob ||
    value instanceof FormData ||
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  )
}

// `key` is the property the value was read from (`toJSON`'s argument); the result itself has none,
// and, as Flight renders it before any `JSON.stringify`, its own `toJSON()` is not called. `seen`
// maps each object already converted to its copy, so shared and circular references stay shared
// (as V8's serialization and Flight's outlined models keep them).
function flightValue(value: unknown, name: string, key: string | undefined, at: string, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value
  const done = seen.get(value)
  if (done !== undefined) return done
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (key !== undefined && typeof toJSON === 'function' && !(value instanceof Date)) {
    return flightValue(toJSON.call(value, key), name, undefined, at, seen)
  }
  if (keptAsIs(value)) return value
  if (value instanceof Map) {
    const map = new Map<unknown, unknown>()
    seen.set(value, map)
    for (const [entryKey, entry] of value) {
      map.set(flightValue(entryKey, name, '0', `${at}.<key>`, seen), flightValue(entry, name, '1', `${at}.get(…)`, seen))
    }
    return map
  }
  if (value instanceof Set) {
    const set = new Set<unknown>()
    seen.set(value, set)
    for (const entry of value) set.add(flightValue(entry, name, '0', `${at}.<entry>`, seen))
    return set
  }
  if (Array.isArray(value) || typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
    const array: unknown[] = []
    seen.set(value, array)
    for (const entry of value as Iterable<unknown>) array.push(flightValue(entry, name, String(array.length), `${at}[${array.length}]`, seen))
    return array
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && (proto === null || Object.getPrototypeOf(proto) !== null)) {
    const found = (proto as { constructor?: { name?: string } } | null)?.constructor?.name
    throw routeHandlersError('RH_ERR_USE_CACHE_RESULT', [
      name,
      'Only plain objects, and a few built-ins, can be passed to Client Components from Server Components. Classes or null prototypes are not supported.' +
        ` (${found ? `an instance of ${found}` : 'an object with a null prototype'} at ${at})`,
    ])
  }
  const object: Record<string, unknown> = {}
  seen.set(value, object)
  for (const [entryKey, entry] of Object.entries(value)) object[entryKey] = flightValue(entry, name, entryKey, `${at}.${entryKey}`, seen)
  return object
}
