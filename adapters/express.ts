// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/**
 * `route-handlers/express`: a route folder as Express middleware. It translates and nothing more:
 * matching, dispatch and every Next.js rule live in the core, shared with the other hosts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { hostRequestOf } from '../lib/body/route-request.ts'
import { consoleLogger, isPinoLike, pinoLogger } from '../lib/logger.ts'
import { createRouteHandlers, type RouteHandlers } from '../lib/router.ts'
import { repeatedMountWarning } from '../lib/mount-warnings.ts'
import type { Logger, RouteHandlersOptions } from '../lib/types.ts'
import { regroupedFormWarning, reserializedReadWarning } from './_consumed-body.ts'
import { sendResponse, sendsAtOnce, toNextRequest, type RequestNotices } from './_node.ts'
import { untrustedHttpsWarning } from './_untrusted-https.ts'
import { checkRequestTarget } from './_request-url.ts'
import { mountedRoute, reportRoute } from './_otel-route.ts'

/** The parts of Express's request the middleware reads (Express 5). */
export interface ExpressRequest extends IncomingMessage {
  /** The path after the mount point, still percent-encoded. */
  path: string
  /** The mount point this middleware (or its Router) was reached under, e.g. `/api`. */
  baseUrl: string
  originalUrl: string
  /** `http` or `https`, honouring the app's `trust proxy` setting. */
  protocol: string
  /** Host and port, honouring the app's `trust proxy` setting. */
  host: string | undefined
  /** The client's address, honouring the app's `trust proxy` setting. */
  ip: string | undefined
}

export type ExpressNext = (error?: unknown) => void

/** Express middleware over a route folder; `routes` is the core instance behind it. */
export interface RouteHandlersMiddleware {
  (req: ExpressRequest, res: ServerResponse, next: ExpressNext): void
  readonly routes: RouteHandlers
  /** Resolves when every route file has loaded (see the core's `ready()`). */
  ready(): Promise<RouteHandlersMiddleware>
  /**
   * Resolves once pending `after()` work has settled (see the core's `close()`): call it on
   * shutdown, after `server.close()`.
   */
  close(): Promise<void>
}

export type ExpressRouteHandlersOptions = Omit<RouteHandlersOptions, 'basePath'>

/**
 * Mounts a folder of Next.js Route Handlers into an Express 5 app or Router. Paths no route file
 * matches go to `next()`; a handler's exception goes to `next(err)`, so the app's error middleware
 * sees it. `request.url` is the full original URL and `nextUrl.basePath` the mount path.
 *
 * @example
 * app.use('/api', routeHandlers({ dir: './app' }))
 */
export function routeHandlers(options: ExpressRouteHandlersOptions): RouteHandlersMiddleware {
  const logger = expressLogger(options.logger)
  // A stream that fails mid-response is logged through pino-http's `req.log` too, where the app gave a pino logger.
  const responseLogger = isPinoLike(options.logger) ? (res: ServerResponse) => requestLogger(res.req) ?? logger : () => logger
  const routes = createRouteHandlers({ ...options, logger })
  // Once per middleware and kind: the first route that reads as text a body express.json()
  // rebuilt, or a form express.urlencoded() regrouped, says why; so does the first request that
  // claims https through a proxy the app does not trust.
  const warned = { reserialized: false, regrouped: false, untrustedHttps: false }
  const notices: RequestNotices = {
    reserializedRead(method, path, regrouped) {
      const kind = regrouped ? 'regrouped' : 'reserialized'
      if (warned[kind]) return
      warned[kind] = true
      logger.warn(regrouped ? regroupedFormWarning(method, path) : reserializedReadWarning(method, path))
    },
    untrustedHttps() {
      if (warned.untrustedHttps) return
      warned.untrustedHttps = true
      logger.warn(untrustedHttpsWarning("app.set('trust proxy', 1) for one proxy in front"))
    },
  }

  // The mount path is known from the first request (app/api mounted at /api: see repeatedMountWarning).
  let mountChecked = false
  const middleware = (req: ExpressRequest, res: ServerResponse, next: ExpressNext): void => {
    if (!mountChecked) {
      mountChecked = true
      const warning = repeatedMountWarning(req.baseUrl, routes.routes, routes.dir, 'mounted at')
      if (warning !== undefined) logger.warn(warning)
    }
    // Matching first: an unmatched request costs no Request object and no body stream.
    const match = routes.match(req.path)
    if (!match) return next()
    // A path no handler may take (`/items/..`, `%zz`, a param over maxParamLength): the app's error
    // handling answers its 400 or 414, as it answers the other client errors.
    if (match.error) return next(match.error)
    reportRoute(mountedRoute(req.baseUrl, match.route.pattern))
    let response
    if (req.method === 'GET') {
      try {
        // A fresh cached answer goes out without a request built, after the checks building it
        // makes (a hostile Host, a target that is not a path: 400).
        response = routes.cachedResponse(match, 'GET', req.headers.cookie, req.baseUrl)
        if (response) checkRequestTarget(req.protocol, req.host, req.originalUrl)
      } catch (error) {
        return next(error)
      }
      if (response) return send(response, res, next)
    }
    try {
      // `req` is the client view: Express's getters, honouring its trust proxy setting.
      const request = toNextRequest(req, res, req, req.originalUrl, req.baseUrl, routes.bodyLimits, req, req, notices)
      response = routes.respond(request, { basePath: req.baseUrl, match })
    } catch (error) {
      return next(error)
    }
    // A response ready at once is written in the same turn (after one microtask for a request with
    // a body: see sendsAtOnce).
    if (response instanceof Promise) response.then((answered) => send(answered, res, next), next)
    else if (sendsAtOnce(req.method)) send(response, res, next)
    else queueMicrotask(() => send(response, res, next))
  }
  const send = (response: Response | null, res: ServerResponse, next: ExpressNext): void => {
    // The app answered while the handler ran (connect-timeout's 503): this answer has nowhere to
    // go, and a next() or next(err) now would have Express's final handler cut the keep-alive
    // connection under the client's next request. A native route checks `req.timedout`.
    if (res.headersSent) return dropLateAnswer(response, res)
    if (response === null) return next()
    sendResponse(res, response, responseLogger(res)).catch(next)
  }
  const dropLateAnswer = (response: Response | null, res: ServerResponse): void => {
    if (response !== null && !response.bodyUsed) void response.body?.cancel().catch(() => {})
    const req = res.req as ExpressRequest
    logger.warn(`route-handlers: ${req.method} ${req.originalUrl} answered after the app had sent a response of its own (status ${res.statusCode}; a timeout middleware?): the route's answer was dropped.`)
  }
  return Object.assign(middleware, {
    routes,
    ready: () => routes.ready().then(() => middleware as RouteHandlersMiddleware),
    close: () => routes.close(),
  })
}

/**
 * The `logger` option as the middleware uses it. A pino logger (`pino()`, an app with pino-http)
 * gets the error under `err`, where `error(message, error)` would have pino drop it, and a
 * request's failure (its `after()` work, a stream failing mid-response) goes through that
 * request's `req.log`, with its id, when pino-http has set one.
 */
function expressLogger(option: Logger | undefined): Logger {
  if (!isPinoLike(option)) return option ?? consoleLogger
  return pinoLogger(option, (request) => requestLogger(hostRequestOf(request)))
}

/** The pino logger pino-http put on `req.log`, as the core's; `undefined` without one. */
function requestLogger(req: unknown): Logger | undefined {
  const log = (req as { log?: unknown } | undefined)?.log
  return isPinoLike(log) ? pinoLogger(log) : undefined
}
