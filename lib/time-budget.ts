import { bodyReader } from './body/body-reader.ts'
import { abortAlsoWith, type RouteRequest } from './body/route-request.ts'
import { routeHandlersError, type RouteHandlersError } from './errors.ts'
import type { LoadedRoute } from './loaded-route.ts'
import type { MaybePromise } from './maybe-promise.ts'
import { pendingJsonText } from './next/next-response.ts'

/**
 * Runs `dispatch` within a time budget of `ms` milliseconds (Next.js's `maxDuration`): from the
 * handler call until its response body has been sent, as on Vercel, where the function stops at
 * `maxDuration`. When the budget runs out, `request.signal` aborts with `RH_ERR_HANDLER_TIMEOUT`
 * (504) as its reason and:
 * - before the handler returned: the promise rejects with that error, so the host answers 504
 *   through its error handling; whatever the handler returns or throws later is dropped (a late
 *   body is cancelled).
 * - while its body streams: the body errors with it, so the host cuts the response (the status is
 *   sent already).
 */
export function withinTimeBudget(
  ms: number,
  route: LoadedRoute,
  request: RouteRequest,
  dispatch: () => MaybePromise<Response | null>,
): Promise<Response | null> {
  const budget = new AbortController()
  abortAlsoWith(request, budget.signal)
  return new Promise((resolve, reject) => {
    let expired: RouteHandlersError | undefined
    // What running out does at each stage: reject first, cut the body once there is one.
    let expire = reject
    const timer = setTimeout(() => {
      expired = routeHandlersError('RH_ERR_HANDLER_TIMEOUT', [route.entry.relativeFile, request.method, ms / 1000])
      budget.abort(expired)
      expire(expired)
    }, ms)
    let answer: Promise<Response | null>
    try {
      answer = Promise.resolve(dispatch())
    } catch (error) {
      answer = Promise.reject(error)
    }
    answer.then(
      (response) => {
        if (expired) return void response?.body?.cancel().catch(() => {})
        // Nothing left to stream: a null body, or NextResponse.json()'s text waiting to be sent.
        if (response === null || pendingJsonText(response) !== undefined || response.body === null) {
          clearTimeout(timer)
          return resolve(response)
        }
        resolve(budgetedBody(response, (cut) => (expire = cut), () => clearTimeout(timer)))
      },
      (error: unknown) => {
        if (expired) return
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * A copy of `response` whose body can be cut: `onCut` receives the function that errors the body
 * (and cancels the handler's stream); `done` is called once the body has ended, failed or been
 * cancelled.
 */
function budgetedBody(response: Response, onCut: (cut: (error: Error) => void) => void, done: () => void): Response {
  const reader = bodyReader(response.body!)
  let finished = false
  const finish = () => {
    if (finished) return false
    finished = true
    done()
    return true
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      onCut((error) => {
        if (!finish()) return
        controller.error(error)
        void reader.cancel(error)
      })
    },
    async pull(controller) {
      try {
        const chunk = await reader.read()
        if (finished) return
        if (!chunk.done) return controller.enqueue(chunk.value)
        finish()
        controller.close()
      } catch (error) {
        if (finish()) controller.error(error)
      }
    },
    cancel(reason) {
      finish()
      return reader.cancel(reason)
    },
  })
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
