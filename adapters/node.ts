/**
 * The standalone host: a route folder served by Node's `http` module alone.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http'
import { createRouteHandlers, type RouteHandlers } from '../lib/router.ts'
import type { Logger, RouteHandlersOptions } from '../lib/types.ts'
import { isRouteHandlersError } from '../lib/errors.ts'
import { consoleLogger } from '../lib/logger.ts'
import { sendResponse, toNextRequest, type ClientView } from './_node.ts'

export interface ServeOptions extends RouteHandlersOptions {
  /** Default: 3000. `0` picks a free port. */
  port?: number | undefined
  /** Default: `127.0.0.1`. */
  hostname?: string | undefined
  /**
   * When a route file fails to load, reject (and so fail the start) listing every broken file (or
   * with the `instrumentation` file's error, when it failed), instead of serving the others and
   * answering 500 on the broken ones. Default: false.
   */
  failOnLoadError?: boolean | undefined
}


/**
 * A Node `request` listener over route handlers: `404` when no route matches, the error's status
 * and message for client errors (a hostile `Host`, a malformed or oversized body), `504` when a
 * route's `maxDuration` runs out, `500` when a handler throws (server errors are logged; the
 * message and stack are shown only when `NODE_ENV=development`).
 *
 * @example
 * http.createServer(toNodeListener(createRouteHandlers({ dir: './app' }))).listen(3000)
 */
export function toNodeListener(routes: RouteHandlers, logger: Logger = consoleLogger): RequestListener {
  return (req, res) => void answer(routes, req, res, logger)
}

async function answer(routes: RouteHandlers, req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
  const path = req.url ?? '/'
  try {
    const response = await routes.handle(toNextRequest(req, res, clientOf(req), path, routes.basePath, routes.bodyLimits))
    if (response === null) return sendText(res, 404, 'Not Found')
    await sendResponse(res, response, logger)
  } catch (error) {
    // A client error (bad Host, malformed or oversized body) says what was wrong.
    if (isRouteHandlersError(error) && error.status < 500 && !res.headersSent) return sendText(res, error.status, error.message)
    logger.error(`route-handlers: ${req.method} ${path} failed`, error)
    // A server error of ours keeps its status (504 for a route past its maxDuration). Its body is
    // empty, as `next start` answers a handler's exception; in development it shows the stack.
    const status = isRouteHandlersError(error) ? error.status : 500
    if (res.headersSent) return void res.destroy()
    if (process.env.NODE_ENV === 'development' && error instanceof Error) sendText(res, status, `${STATUS_CODES[status]}\n\n${error.stack}`)
    else res.writeHead(status, { 'content-length': 0 }).end()
  }
}

// The connection and the Host header say who the client is; the scheme is https also when
// X-Forwarded-Proto contains it, as `next start` decides it (router-server.ts), so `request.url`
// agrees with the `x-forwarded-proto` header Auth.js reads behind a proxy that terminates TLS
// (trial: its session cookie was set under one name and looked for under another).
function clientOf(req: IncomingMessage): ClientView {
  const encrypted = 'encrypted' in req.socket && req.socket.encrypted === true
  const https = encrypted || String(req.headers['x-forwarded-proto'] ?? '').includes('https')
  return { protocol: https ? 'https' : 'http', host: req.headers.host, ip: req.socket.remoteAddress }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text)
}

/** The `http.Server` that {@link serve} resolves with, and the route handlers it serves. */
export interface StandaloneServer extends Server {
  /** `routes.close()` resolves once pending `after()` work has settled (see the core's `close()`). */
  readonly routes: RouteHandlers
}

/** What `ready()` rejects with when loading failed but the rest serves. */
const LOAD_FAILURES = new Set(['RH_ERR_ROUTES_LOAD', 'RH_ERR_INSTRUMENTATION'])

/**
 * Serves a route folder on its own: loads every route file, then listens.
 *
 * @example
 * const server = await serve({ dir: './app', port: 3000 })
 * process.on('SIGTERM', () => server.close(() => server.routes.close().then(() => process.exit(0))))
 */
export async function serve(options: ServeOptions): Promise<StandaloneServer> {
  const routes = createRouteHandlers(options)
  // Broken route files (and a failed instrumentation file) were logged as they failed; the
  // others serve unless the app wants to fail.
  await routes.ready().catch((error: unknown) => {
    if (options.failOnLoadError === true || !(isRouteHandlersError(error) && LOAD_FAILURES.has(error.code))) throw error
  })
  const server = Object.assign(createServer(toNodeListener(routes, options.logger)), { routes })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, options.hostname ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}
