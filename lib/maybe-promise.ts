/**
 * A value now, or later. The request path hands answers along as they come: a handler that answers
 * synchronously is written in the same turn, without a promise (and the microtask turns each
 * `await` of it costs) between the handler and the socket.
 */
export type MaybePromise<T> = T | Promise<T>

/** True for a promise or any other thenable (a handler may return either), which `await` would wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value instanceof Promise || (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function')
}

/** Calls `next` with `value` now, or when it resolves. */
export function whenReady<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value)
}
