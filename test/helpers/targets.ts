import express, { type ErrorRequestHandler } from 'express'
import Fastify, { type FastifyInstance } from 'fastify'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from '../../adapters/express.ts'
import { routeHandlersPlugin } from '../../adapters/fastify.ts'
import { createRouteHandlers, isRouteHandlersError, serve, type RouteHandlersOptions } from '../../lib/index.ts'

/** The route folder every host serves in the behaviour suite. */
export const APP_DIR = fileURLToPath(new URL('../fixtures/app', import.meta.url))

export const quietLogger = { warn() {}, error() {} }

/** Small multipart limits, so the suite can cross each one; the same for every host. */
export const LIMITS = {
  bodyLimit: 1024 * 1024,
  multipart: { parts: 12, fields: 10, files: 3, fieldSize: 1000, fileSize: 200_000 },
}

/** Options a test adds to a target's own (a logger, a cache store). */
export type ExtraOptions = Partial<Omit<RouteHandlersOptions, 'dir' | 'basePath'>>

/** A running host: `send()` takes a mount-relative path, the target adds its prefix. */
export interface Target {
  readonly prefix: string
  /**
   * The status for a method outside Next's list (`PROPFIND`): the core's 400, or the host's
   * not-found answer where the host does not route that method at all (Fastify).
   */
  readonly unknownMethodStatus?: number
  send(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** A host on a real socket. */
export interface SocketTarget extends Target {
  readonly port: number
}

/**
 * The core alone: `handle()` with real `Request` objects. No match answers 404 and a rejection
 * 500 (what a host would do), with the error code in a header for the suite to see.
 */
export async function handleTarget(prefix: string, dir = APP_DIR, extra: ExtraOptions = {}): Promise<Target> {
  const routes = await createRouteHandlers({ dir, basePath: prefix, ...LIMITS, ...extra }).ready()
  return {
    prefix,
    async send(path, init) {
      try {
        const response = await routes.handle(new Request(`http://localhost${prefix}${path}`, init))
        return response ?? new Response('Not Found', { status: 404 })
      } catch (error) {
        // What a host's error handling does: client errors say why, others say nothing.
        const status = isRouteHandlersError(error) ? error.status : 500
        return new Response(status < 500 ? (error as Error).message : 'Internal Server Error', { status })
      }
    },
    close: async () => {},
  }
}

/** The standalone Node server on a real socket. */
export async function standaloneTarget(prefix: string, dir = APP_DIR, extra: ExtraOptions = {}): Promise<SocketTarget> {
  const server = await serve({ dir, basePath: prefix, port: 0, logger: quietLogger, ...LIMITS, ...extra })
  return targetOn(server, prefix)
}

/** Express 5 with the middleware at the root or under a prefix, and an app error handler. */
export async function expressTarget(prefix: string, dir = APP_DIR, extra: ExtraOptions = {}): Promise<SocketTarget> {
  const app = express()
  const middleware = await routeHandlers({ dir, logger: quietLogger, ...LIMITS, ...extra }).ready()
  if (prefix) app.use(prefix, middleware)
  else app.use(middleware)
  app.use(appErrorHandler)
  return listen(app, prefix)
}

/** What a typical app's error middleware does: the error's status; client errors say why. */
export const appErrorHandler: ErrorRequestHandler = (error: { status?: number; message: string }, _req, res, _next) => {
  const status = error.status ?? 500
  res.status(status).send(status < 500 ? error.message : 'Internal Server Error')
}

/** Serves `listener` on a free loopback port. */
export async function listen(listener: RequestListener, prefix = ''): Promise<SocketTarget> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return targetOn(server, prefix)
}

function targetOn(server: import('node:http').Server, prefix: string): SocketTarget {
  const { port } = server.address() as AddressInfo
  return {
    prefix,
    port,
    send: (path, init) => fetch(`http://127.0.0.1:${port}${prefix}${path}`, { redirect: 'manual', ...init }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Fastify 5 with the plugin at the root or under a prefix, and an app error handler. */
export async function fastifyTarget(prefix: string, dir = APP_DIR, extra: ExtraOptions = {}): Promise<SocketTarget> {
  const app = Fastify()
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500
    return reply.code(status).send(status < 500 ? error.message : 'Internal Server Error')
  })
  await app.register(routeHandlersPlugin, { dir, prefix, logger: quietLogger, ...LIMITS, ...extra })
  return { ...(await fastifyListening(app, prefix)), unknownMethodStatus: 404 }
}

/** A Fastify app a test built, listening on a free loopback port; `close()` drops open connections. */
export async function fastifyListening(app: FastifyInstance, prefix = ''): Promise<SocketTarget> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return {
    prefix,
    port,
    send: (path, init) => fetch(`http://127.0.0.1:${port}${prefix}${path}`, { redirect: 'manual', ...init }),
    close: async () => {
      app.server.closeAllConnections()
      await app.close()
    },
  }
}

/** Every host, by name, started on a route folder with a prefix and options: for tables run on each. */
export const EVERY_HOST: ReadonlyArray<readonly [name: string, start: (prefix: string, dir: string, extra: ExtraOptions) => Promise<Target>]> = [
  ['Express', expressTarget],
  ['Fastify', fastifyTarget],
  ['standalone', standaloneTarget],
  ['handle()', handleTarget],
]
