/**
 * Next.js 15 made `params`, `cookies()` and `headers()` promises; Next 13/14 code uses them
 * directly. A resolved promise that also carries the value's members serves both styles:
 * `params.slug` and `(await params).slug`.
 */
export type Awaitable<T> = T & Promise<T>

// Promise members stay the promise's own: a param named `then` must not break `await params`.
const PROMISE_MEMBERS = new Set<PropertyKey>(['then', 'catch', 'finally', 'constructor'])

/** Copies `value`'s own enumerable data onto a promise of it (for plain objects such as params). */
export function awaitableData<T extends object>(value: T): Awaitable<T> {
  const promise = Promise.resolve(value)
  const target = promise as unknown as Record<string, unknown>
  const source = value as Record<string, unknown>
  for (const key in source) {
    if (PROMISE_MEMBERS.has(key)) continue
    // `__proto__` must stay a plain key (a folder named [__proto__]); anything else is a plain
    // assignment, much cheaper than defineProperty on the hot path.
    if (key === '__proto__') Object.defineProperty(target, key, { value: source[key], enumerable: true })
    else target[key] = source[key]
  }
  return promise as Awaitable<T>
}

/** Forwards the named methods and getters of `value` from a promise of it (for class instances). */
export function awaitableFacade<T extends object>(value: T, members: readonly (keyof T & PropertyKey)[]): Awaitable<T> {
  const promise = Promise.resolve(value)
  for (const key of members) {
    Object.defineProperty(promise, key, {
      get() {
        const member = Reflect.get(value, key, value) as unknown
        return typeof member === 'function' ? member.bind(value) : member
      },
    })
  }
  return promise as Awaitable<T>
}
