import { createHash } from 'node:crypto'
import { isParamsObject } from '../params-object.ts'

/** Bumped when the encoding below changes, so old entries are not read under new keys. */
const KEY_VERSION = 'use-cache-v2'

/**
 * The store key of one call of a `"use cache"` function: its id, its file's hash (`source`: a
 * changed file reads none of the entries its former code made), the values it closes over and its
 * arguments, encoded as Next.js's `encodeReply` accepts them (plain objects, arrays, strings,
 * numbers, booleans, `null`/`undefined`, bigint, Date, Map, Set, typed arrays, URL). Functions
 * passed through (a callback, say) are not part of the key, as in Next; anything else (a class
 * instance) throws Next's error.
 */
export function useCacheKey(id: string, source: string, bound: readonly unknown[], args: readonly unknown[]): string {
  const material = encode([KEY_VERSION, id, source, bound, args], new Set())
  return createHash('sha256').update(material).digest('hex')
}

function encode(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value)
    case 'number': return Number.isNaN(value) ? '$NaN' : Object.is(value, -0) ? '$-0' : Number.isFinite(value) ? String(value) : `$${value}`
    case 'boolean': return String(value)
    case 'undefined': return '$undefined'
    case 'bigint': return `$n${value}`
    case 'function': return '$F'
    case 'symbol': throw notSerializable(`the symbol ${String(value)}`)
  }
  if (value === null) return 'null'
  const object = value as object
  if (seen.has(object)) throw notSerializable('a value that refers to itself')
  seen.add(object)
  try {
    if (Array.isArray(object)) return `[${object.map((item) => encode(item, seen)).join(',')}]`
    if (object instanceof Date) return `$D${object.toISOString()}`
    if (object instanceof URL) return `$U${object.href}`
    if (object instanceof Map) return `$Q[${[...object].map(([k, v]) => `${encode(k, seen)}:${encode(v, seen)}`).join(',')}]`
    if (object instanceof Set) return `$W[${[...object].map((item) => encode(item, seen)).join(',')}]`
    if (ArrayBuffer.isView(object)) return `$A${object.constructor.name}:${Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64')}`
    const prototype = Object.getPrototypeOf(object) as unknown
    if (prototype !== Object.prototype && prototype !== null && !isParamsObject(object)) throw notSerializable(`an instance of ${object.constructor?.name ?? 'a class'}`)
    return `{${Object.keys(object).map((key) => `${JSON.stringify(key)}:${encode((object as Record<string, unknown>)[key], seen)}`).join(',')}}`
  } finally {
    seen.delete(object)
  }
}

function notSerializable(what: string): Error {
  return new Error(`Only plain objects, and a few built-ins, can be passed to a "use cache" function: got ${what}.`)
}
