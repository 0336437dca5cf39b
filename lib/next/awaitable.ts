/**
 * Next.js 15 made `cookies()` and `headers()` promises; Next 13/14 code uses them directly. A
 * resolved promise that also carries the value's members serves both styles:
 * `cookies().get('a')` and `(await cookies()).get('a')`. (`params` is a thenable instead; see
 * route-params.ts.)
 */
export type Awaitable<T> = T & Promise<T>

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
