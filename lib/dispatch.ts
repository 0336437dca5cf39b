import { enterRequest, leaveRequest, newRequestStore, withRequestStore, type HandlersContext, type RequestStore } from './context.ts'
import { requestHeader } from './body/route-request.ts'
import { finishResponse, mergeCookies } from './handler-result.ts'
import type { StaticGeneration } from './cache/static-generation.ts'
import type { LoadedRoute } from './loaded-route.ts'
import { httpFallbackOf, redirectOf } from './next/control-flow.ts'
import type { NextRequest } from './next/next-request.ts'
import { routeParams } from './next/route-params.ts'
import { thrownError } from './thrown-error.ts'
import { isThenable, type MaybePromise } from './maybe-promise.ts'
import { HTTP_METHODS, type AnswerSink, type HandleOptions, type HttpMethod, type Params } from './types.ts'

const KNOWN_METHODS = new Set<string>(HTTP_METHODS)

/**
 * Runs the route's handler for the request's method (SPEC "Methods", "The handler call",
 * "Results"): automatic HEAD and OPTIONS, 405 with `Allow`, 400 for methods outside the list, the
 * request store for `cookies()`/`headers()`/`after()`, and `redirect()`/`notFound()` turned into
 * responses. A handler's own exception is thrown (or rejects), so the host's error handling sees
 * it. Gives `null` for a missing method when `fallThrough` is set.
 *
 * A handler that answers synchronously (`export function GET() { return Response.json(…) }`) is
 * answered synchronously: the response (or the exception) comes back without a promise, so a host
 * can write it in the same turn. An async handler's answer comes in a promise, one turn after its
 * own; or, when `answerTo` has a `later` sink, is handed to it from that turn, and `undefined` is
 * returned.
 */
export function dispatch(
  route: LoadedRoute,
  request: NextRequest,
  params: Params,
  fallThrough: boolean,
  handlers: HandlersContext,
  generation?: StaticGeneration,
  handlerRequest?: NextRequest,
): MaybePromise<Response | null>
export function dispatch(
  route: LoadedRoute,
  request: NextRequest,
  params: Params,
  fallThrough: boolean,
  handlers: HandlersContext,
  generation: StaticGeneration | undefined,
  handlerRequest: NextRequest | undefined,
  answerTo: HandleOptions,
): MaybePromise<Response | null> | undefined
export function dispatch(
  route: LoadedRoute,
  request: NextRequest,
  params: Params,
  fallThrough: boolean,
  handlers: HandlersContext,
  generation?: StaticGeneration,
  handlerRequest: NextRequest = request,
  answerTo?: HandleOptions,
): MaybePromise<Response | null> | undefined {
  const method = request.method
  // The handlers inherit nothing: a method with one is one of Next's (see loaded-route.ts).
  const handler = route.handlers[method as HttpMethod]
  if (!handler) {
    if (!KNOWN_METHODS.has(method)) return new Response(null, { status: 400 })
    // With `fall-through` the host has methods of its own on this path (an app moving routes one
    // method at a time): an automatic OPTIONS would name the file's alone, so the host answers it.
    if (fallThrough) return null
    if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { Allow: route.allow } })
    return new Response(null, { status: 405, headers: { Allow: route.allow } })
  }

  const store = newRequestStore(request, isFormPost(request), handlers, route, generation)
  enterRequest(store)
  let result: unknown
  let thenable: boolean
  try {
    result = withRequestStore(store, handler, handlerRequest, { params: routeParams(params) })
    // Inside: a result whose `then` getter throws is the handler's failure, and the request leaves.
    thenable = isThenable(result)
  } catch (error) {
    return settleFailure(store, error)
  }
  // No closures per request on the synchronous path; an async handler's reactions take the store.
  if (thenable) {
    const later = answerTo?.later
    if (later !== undefined) {
      const target = answerTo!.target
      Promise.resolve(result).then(
        (value) => settleInto(later, target, settleResult, store, value),
        (error: unknown) => settleInto(later, target, settleFailure, store, error),
      )
      return undefined
    }
    return Promise.resolve(result).then(
      (value) => settleResult(store, value),
      (error: unknown) => settleFailure(store, error),
    )
  }
  return settleResult(store, result)
}

/**
 * Once the handler has returned: its response (this throws for a result that is not one), the
 * request handed over, then `revalidateTag()`/`revalidatePath()` applied before the response is
 * sent (Next's executeRevalidates) and `after()` callbacks tied to the response's end.
 */
function settleResult(store: RequestStore, result: unknown): MaybePromise<Response> {
  let response: Response
  try {
    response = finishResponse(result, store.route!, store.request.method, store)
  } finally {
    leave(store)
  }
  return handOver(store, response)
}

/** Once the handler has thrown: `redirect()`/`notFound()` as responses, anything else rethrown. */
function settleFailure(store: RequestStore, error: unknown): MaybePromise<Response> {
  let response: Response
  try {
    response = controlFlowResponse(error, store, store.route!, store.request.method)
  } finally {
    leave(store)
  }
  return handOver(store, response)
}

/** Settles the handler's outcome and hands the answer (or what settling threw) to the host's sink. */
function settleInto(
  later: AnswerSink,
  target: unknown,
  settle: (store: RequestStore, outcome: unknown) => MaybePromise<Response>,
  store: RequestStore,
  outcome: unknown,
): void {
  let answer: MaybePromise<Response>
  try {
    answer = settle(store, outcome)
  } catch (error) {
    return later.failed(target, error)
  }
  if (answer instanceof Promise) {
    answer.then(
      (response) => later.answered(target, response),
      (error: unknown) => later.failed(target, error),
    )
  } else {
    later.answered(target, answer)
  }
}

function leave(store: RequestStore): void {
  leaveRequest(store)
  store.handedOver = true
}

function handOver(store: RequestStore, response: Response): MaybePromise<Response> {
  if (store.pendingRevalidations) {
    return store.handlers.cache.revalidate(store.pendingRevalidations).then(
      () => afterQueued(store, response),
      (error: unknown) => {
        // The host answers the error instead (RH_ERR_CACHE_REVALIDATE_FAILED): the response is
        // dropped, its body cancelled (a proxied upstream let go), and `after()` callbacks still run.
        void response.body?.cancel().catch(() => {})
        store.after?.handOver(null)
        throw error
      },
    )
  }
  return afterQueued(store, response)
}

function afterQueued(store: RequestStore, response: Response): Response {
  return store.after ? store.after.handOver(response) : response
}

/**
 * The response for `redirect()`/`notFound()`/… (recognized by their `digest`, on any object, as
 * Next.js does); anything else is rethrown, as an Error (see `thrownError`).
 */
function controlFlowResponse(error: unknown, store: RequestStore, route: LoadedRoute, method: string): Response {
  const redirect = redirectOf(error)
  if (redirect) {
    const headers = new Headers({ Location: redirect.url })
    mergeCookies(headers, store.cookies?.modified() ?? [])
    return new Response(null, { status: redirect.status, headers })
  }
  const status = httpFallbackOf(error)
  if (status !== null) return new Response(null, { status })
  // The host answers the error; `after()` callbacks still run (for a bare handle(), at once).
  store.after?.handOver(null)
  throw thrownError(error, route, method)
}

// A browser's form submission, as Next.js detects it for `redirect()`'s 303.
function isFormPost(request: Request): boolean {
  if (request.method !== 'POST') return false
  const contentType = requestHeader(request, 'content-type')
  return contentType === 'application/x-www-form-urlencoded' || contentType?.startsWith('multipart/form-data') === true
}
