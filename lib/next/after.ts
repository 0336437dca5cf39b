/**
 * `after()` from `next/server`: work that runs once the response has been sent.
 */
import { AfterQueue, isThenable } from '../after-queue.ts'
import { keepUploadsFor } from '../body/route-request.ts'
import { requestStorage, requestStoresFor, type RequestStore } from '../context.ts'
import { routeHandlersError } from '../errors.ts'
import { describeValue } from '../handler-result.ts'

export type AfterCallback<T = unknown> = () => T | Promise<T>
export type AfterTask<T = unknown> = Promise<T> | AfterCallback<T>

/**
 * Schedules `task` to run after the response has been sent: a callback runs then, inside the
 * request's scope (`cookies()` and `headers()` still read the request; setting cookies throws
 * `RH_ERR_AFTER_READONLY`); a promise is simply waited for. Errors are logged through the `logger`
 * option, never unhandled. `close()` on the route handlers waits for pending work. Outside a
 * request it throws `RH_ERR_CONTEXT_MISSING`, as Next.js throws.
 *
 * @example
 * export async function POST(request: Request) {
 *   const order = await saveOrder(await request.json())
 *   after(() => sendReceipt(order))
 *   return Response.json(order, { status: 201 })
 * }
 */
export function after<T>(task: AfterTask<T>): void {
  const stores = requestStoresFor('after()')
  if (isThenable(task)) {
    const { handlers, request } = stores[0]!
    // A promise reading the request's uploads keeps them (one request's when the caller is known).
    if (stores.length !== 1) return handlers.after.track(task, 'a promise')
    keepUploadsFor(request, task, () => handlers.after.hold())
    return handlers.after.track(task, 'a promise', request)
  }
  if (typeof task !== 'function') throw routeHandlersError('RH_ERR_AFTER_INVALID', [describeValue(task)])
  if (stores.length === 1) return queueOf(stores[0]!).add(task)
  // The first call ever, made while the store was off and several requests were running: the
  // caller is one of them, so the task waits for all of their responses, outside their scopes, and
  // each of them holds its uploads until the task has settled (one of them is the caller's). Its
  // failure is logged as no request's: which one called is not known.
  let waiting = stores.length
  let finished!: () => void
  const done = new Promise<void>((resolve) => (finished = resolve))
  const { handlers } = stores[0]!
  for (const store of stores) {
    queueOf(store).add(() => {
      if (--waiting > 0) return done
      try {
        const result = requestStorage.exit(task)
        if (isThenable(result)) handlers.after.track(result, 'a function')
        void Promise.resolve(result).then(finished, finished)
      } catch (error) {
        handlers.after.failed(error, 'a function')
        finished()
      }
      return done
    })
  }
}

/** Next.js 15.0's name for {@link after}. */
export const unstable_after = after

function queueOf(store: RequestStore): AfterQueue {
  return (store.after ??= new AfterQueue(store))
}
