import { deserialize, serialize } from 'node:v8'
import { routeHandlersError } from '../errors.ts'

/**
 * A `"use cache"` function's result as it is stored, and the copy each caller gets back.
 *
 * Next.js 16 stores the result through React's Flight serialization (ReactFlightServer's
 * renderModelDestructive), which throws for a class instance or a null-prototype object (a
 * `Response`, an ORM model, `Object.create(null)`), calls `toJSON()` below the top (a Prisma
 * `Decimal` comes back a string, a `URL` its `href`), and turns other iterables into arrays.
 * V8's serialization, which stores it here, would keep a class instance's fields as a plain object
 * (a `Response` as `{}`) without a word, so the result is first made what Flight would make of it;
 * what Flight keeps as it is (Date, Map, Set, bigint, typed arrays, ArrayBuffer, DataView) is kept,
 * and so is an Error. What Flight streams to its reader (a promise, a Blob, FormData, a
 * ReadableStream) is refused by name: an entry here is read back whole.
 */
export function encodedResult(value: unknown, name: string): string {
  const flight = new FlightWalk(name).root(value)
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
// serialization keeps as well (Error).
function keptAsIs(value: object): boolean {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value) || value instanceof Error
}

// What Flight streams to its reader. An entry here is stored bytes read back whole, so these are
// refused by name: V8's serialization keeps none of them (FormData, and a Blob on Node 24, became
// `{}` without a word; review).
function streamedKind(value: object): string | undefined {
  if (typeof (value as { then?: unknown }).then === 'function') return 'a promise'
  if (value instanceof ReadableStream) return 'a ReadableStream'
  if (value instanceof Blob) return value instanceof File ? 'a File' : 'a Blob'
  if (value instanceof FormData) return 'FormData'
  if (typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') return 'an async iterable'
  return undefined
}

/**
 * One conversion: `seen` maps each object already converted to its copy, so shared and circular
 * references stay shared (as V8's serialization and Flight's outlined models keep them); `path`
 * is where the walk is, read only for an error message.
 */
class FlightWalk {
  private readonly seen = new Map<object, unknown>()
  private readonly path: string[] = []
  private readonly name: string

  constructor(name: string) {
    this.name = name
  }

  // The result as Flight renders it: checked as it is, then, a plain object, through its own
  // `toJSON('')` as `JSON.stringify` calls it (a class instance with `toJSON`, a `Decimal`, throws
  // there, as in Flight, where it passes below the top).
  root(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value
    const proto: unknown = Object.getPrototypeOf(value)
    const plain = proto === Object.prototype || (proto !== null && Object.getPrototypeOf(proto) === null)
    const toJSON = plain ? (value as { toJSON?: unknown }).toJSON : undefined
    return this.value(typeof toJSON === 'function' ? toJSON.call(value, '') : value, '', false)
  }

  // `key` is the property the value was read from, the argument of the `toJSON()` that
  // `JSON.stringify` calls once for every value below the result (`applyToJSON`).
  private value(value: unknown, key: string, applyToJSON = true): unknown {
    if (typeof value !== 'object' || value === null) return value
    const done = this.seen.get(value)
    if (done !== undefined) return done
    const proto: unknown = Object.getPrototypeOf(value)
    // Most of a result: plain objects and arrays.
    if (proto === Object.prototype || proto === Array.prototype) {
      if (applyToJSON && typeof (value as { toJSON?: unknown }).toJSON === 'function') return this.value((value as { toJSON(key: string): unknown }).toJSON(key), key, false)
      if (typeof (value as { then?: unknown }).then === 'function') throw this.streamed('a promise')
      // An iterable plain object (`arguments`, a hand-made range) is an array to Flight.
      if (proto === Array.prototype || typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') return this.array(value as Iterable<unknown>)
      if (typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') throw this.streamed('an async iterable')
      return this.object(value)
    }
    if (value instanceof Date) return applyToJSON && Number.isNaN(value.getTime()) ? null : value
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (applyToJSON && typeof toJSON === 'function') return this.value(toJSON.call(value, key), key, false)
    if (keptAsIs(value)) return value
    const streamed = streamedKind(value)
    if (streamed !== undefined) throw this.streamed(streamed)
    if (value instanceof Map) {
      const map = new Map<unknown, unknown>()
      this.seen.set(value, map)
      for (const [entryKey, entry] of value) map.set(this.child(entryKey, '0', '<key>'), this.child(entry, '1', 'get(…)'))
      return map
    }
    if (value instanceof Set) {
      const set = new Set<unknown>()
      this.seen.set(value, set)
      for (const entry of value) set.add(this.child(entry, '0', '<entry>'))
      return set
    }
    if (Array.isArray(value) || typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
      return this.array(value as Iterable<unknown>)
    }
    if (proto === null || Object.getPrototypeOf(proto) !== null) {
      const found = (proto as { constructor?: { name?: string } } | null)?.constructor?.name
      throw this.error(
        'Only plain objects, and a few built-ins, can be passed to Client Components from Server Components. Classes or null prototypes are not supported.' +
          ` (${found ? `an instance of ${found}` : 'an object with a null prototype'} at ${this.where()})`,
      )
    }
    return this.object(value)
  }

  private array(value: Iterable<unknown>): unknown[] {
    const array: unknown[] = []
    this.seen.set(value as object, array)
    for (const entry of value) array.push(this.child(entry, String(array.length), `[${array.length}]`))
    return array
  }

  private object(value: object): Record<string, unknown> {
    const object: Record<string, unknown> = {}
    this.seen.set(value, object)
    for (const key of Object.keys(value)) {
      const entry = (value as Record<string, unknown>)[key]
      // Flight sends `$undefined` (also for a `toJSON()` that returns nothing), which its reader's
      // JSON.parse reviver turns into no property at all (trial: `'discount' in row` was true
      // here, false under Next).
      const converted = this.child(entry, key, `.${key}`)
      if (converted !== undefined) object[key] = converted
    }
    return object
  }

  // Strings and numbers skip the call and the path.
  private child(entry: unknown, key: string, step: string): unknown {
    if (typeof entry !== 'object' || entry === null) return entry
    this.path.push(step)
    const converted = this.value(entry, key)
    this.path.pop()
    return converted
  }

  private where(): string {
    return `result${this.path.join('')}`
  }

  private streamed(kind: string): Error {
    return this.error(`${kind} at ${this.where()}, which Next.js streams to the caller, is not stored by route-handlers: await it, or return what it holds (\`await blob.arrayBuffer()\`, \`Object.fromEntries(formData)\`).`)
  }

  private error(reason: string): Error {
    return routeHandlersError('RH_ERR_USE_CACHE_RESULT', [this.name, reason])
  }
}
