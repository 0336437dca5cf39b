import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createRouteHandlers, isRouteHandlersError, serve } from '../../lib/index.ts'

/** The route folder every host serves in the behaviour suite. */
export const APP_DIR = fileURLToPath(new URL('../fixtures/app', import.meta.url))

/** A running host: `send()` takes a mount-relative path, the target adds its prefix. */
export interface Target {
  readonly prefix: string
  send(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/**
 * The core alone: `handle()` with real `Request` objects. No match answers 404 and a rejection
 * 500 (what a host would do), with the error code in a header for the suite to see.
 */
export async function handleTarget(prefix: string): Promise<Target> {
  const routes = await createRouteHandlers({ dir: APP_DIR, basePath: prefix }).ready()
  return {
    prefix,
    async send(path, init) {
      try {
        const response = await routes.handle(new Request(`http://localhost${prefix}${path}`, init))
        return response ?? new Response('Not Found', { status: 404 })
      } catch (error) {
        const code = isRouteHandlersError(error) ? error.code : 'handler-error'
        return new Response('Internal Server Error', { status: 500, headers: { 'x-error-code': code } })
      }
    },
    close: async () => {},
  }
}

/** The standalone Node server on a real socket. */
export async function standaloneTarget(prefix: string): Promise<Target> {
  const quiet = { warn() {}, error() {} }
  const server = await serve({ dir: APP_DIR, basePath: prefix, port: 0, logger: quiet })
  const { port } = server.address() as AddressInfo
  return {
    prefix,
    send: (path, init) => fetch(`http://127.0.0.1:${port}${prefix}${path}`, { redirect: 'manual', ...init }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
