import { emptyParams } from '../params-object.ts'
import type { AwaitableParams, Params } from '../types.ts'

type Settled<T> = ((value: T) => unknown) | null | undefined

/**
 * The `params` of every request: one `then` method, so `params` serves every Next.js style at
 * once. Next 13/14 code reads `params.slug`; Next 15/16 code awaits it; and Next 14 code that
 * validates the context with zod 3 (`z.object({ params: z.object({ postId: z.string() })
 * }).parse(context)`, the shadcn taxonomy template) still sees an object: zod 3 takes anything with
 * a callable `then` *and* `catch` for a promise and answers "Expected object, received promise",
 * which a real Promise would get. So there is no `catch` or `finally`.
 *
 * `then` is non-enumerable and lives on the prototype, and what `await` resolves to is held in a
 * private field (no property is defined per request), so spreading, `Object.keys()`, `for…in`,
 * `JSON.stringify()` and `console.log()` show the params alone. `then` is writable so that a folder
 * named `[then]` can shadow it with its value: `params.then` is then the param, and `await params`
 * resolves to `params` itself (a `then` that is not a function is data to `await`).
 */
class ThenableParams {
  /**
   * What `await params` gives, every time, as Next's params promise does: the same values in an
   * object without `then` (resolving to `this` would make `await` call `then` again, forever) that
   * inherits nothing, like the params the matcher makes, so a `__proto__` param stays a plain key.
   * Filled with the params themselves: copying them when awaited cost more than the rest of `then`.
   */
  readonly #awaited: Params

  constructor(awaited: Params) {
    this.#awaited = awaited
  }

  /** What `then` resolves to for `params`, whatever `then` was called on (it can be borrowed). */
  static awaitedOf(params: unknown): Params {
    if (typeof params === 'object' && params !== null && #awaited in params) return (params as ThenableParams).#awaited
    return Object.assign(emptyParams(), params)
  }
}

/**
 * What `then` returns when its callback returned `undefined` (the `await params` case): one promise
 * fulfilled with `undefined`, shared, rather than a new one per request that nobody reads.
 */
const SETTLED = Promise.resolve(undefined)

// The class is an implementation detail: `params.constructor` stays `Object`, and console.log()
// names no class.
Reflect.deleteProperty(ThenableParams.prototype, 'constructor')
Object.defineProperty(ThenableParams.prototype, 'then', {
  writable: true,
  configurable: true,
  value: function then(this: Params, onFulfilled?: Settled<Params>): Promise<unknown> {
    const awaited = ThenableParams.awaitedOf(this)
    if (typeof onFulfilled !== 'function') return Promise.resolve(awaited)
    // Called at once: the params are known, and `await params` calls `then` from a job of its
    // own, whose continuation comes a turn later anyway. Waiting for another promise first cost
    // every awaiting handler two more jobs and a promise. (Only code that calls `params.then(fn)`
    // itself can tell: `fn` runs before `then` returns.) Params never reject.
    try {
      const result = onFulfilled(awaited)
      // `await`'s own callback returns nothing: one settled promise serves every such call.
      return result === undefined ? SETTLED : Promise.resolve(result)
    } catch (error) {
      return Promise.reject(error)
    }
  },
})

/**
 * The `params` a handler receives: `params`' values as own properties of a thenable (see
 * {@link ThenableParams}). Costs two objects and two assignments per param.
 */
export function routeParams<P extends Params>(params: P): AwaitableParams<P> {
  const awaited = emptyParams()
  const target = new ThenableParams(awaited) as unknown as Record<string, unknown>
  for (const key in params) {
    // A plain assignment, much cheaper than defineProperty; only `__proto__` (a folder named
    // [__proto__]) would set the prototype instead of a key.
    if (key === '__proto__') {
      const property = { value: params[key], enumerable: true, writable: true, configurable: true }
      Object.defineProperty(target, key, property)
      Object.defineProperty(awaited, key, property)
    } else {
      target[key] = awaited[key] = params[key]!
    }
  }
  return target as AwaitableParams<P>
}
