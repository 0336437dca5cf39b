/**
 * Broken route files stay local and loud, on both hosts: each is logged at start-up with
 * file:line:column, the other routes serve, the broken one answers 500 through the host's error
 * handling with its load error, and `ready()` (or Fastify's `failOnLoadError`) fails fast for the
 * apps that want it.
 */
import express, { type ErrorRequestHandler } from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { isRouteHandlersError } from '../lib/index.ts'
import { listen, type Target } from './helpers/targets.ts'

const BROKEN_APP = fileURLToPath(new URL('fixtures/broken-app', import.meta.url))

/** What each broken file's start-up message must say. */
const BROKEN = [
  { path: '/client-only', message: /client-only\/route\.ts.*client-only.*only be used from a Client Component/s },
  { path: '/missing-import', message: /missing-import\/route\.js.*mailer\.js/s },
  { path: '/syntax', message: /syntax\/route\.ts.*syntax\/route\.ts:4:1: Expected "\)" but found "}"/s },
]

interface Host {
  target: Target
  /** Messages the package logged as errors, in order. */
  logged: string[]
  /** Codes of the errors the app's own error handling saw. */
  seen: string[]
}

function recordingLogger(logged: string[]) {
  return { warn() {}, error: (message: string) => void logged.push(message) }
}

async function expressHost(): Promise<Host> {
  const logged: string[] = []
  const seen: string[] = []
  const app = express()
  const middleware = routeHandlers({ dir: BROKEN_APP, logger: recordingLogger(logged) })
  app.use(middleware)
  const onError: ErrorRequestHandler = (error: { code?: string }, _req, res, _next) => {
    seen.push(error.code ?? 'none')
    res.status(500).send('Internal Server Error')
  }
  app.use(onError)
  await assert.rejects(middleware.ready(), { code: 'RH_ERR_ROUTES_LOAD' })
  return { target: await listen(app), logged, seen }
}

async function fastifyHost(): Promise<Host> {
  const logged: string[] = []
  const seen: string[] = []
  const app = Fastify()
  app.setErrorHandler((error: { code?: string }, _request, reply) => {
    seen.push(error.code ?? 'none')
    return reply.code(500).send('Internal Server Error')
  })
  await app.register(routeHandlersPlugin, { dir: BROKEN_APP, logger: recordingLogger(logged) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const target: Target = {
    prefix: '',
    send: (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init),
    close: () => app.close(),
  }
  return { target, logged, seen }
}

for (const [name, start] of [['Express', expressHost], ['Fastify', fastifyHost]] as const) {
  describe(`${name}: one broken route beside healthy ones`, () => {
    let host: Host
    before(async () => {
      host = await start()
    })
    after(() => host.target.close())

    test('every broken file is logged at start-up, before any request, with file:line:column', () => {
      assert.equal(host.logged.length, BROKEN.length)
      BROKEN.forEach(({ message }, index) => assert.match(host.logged[index]!, message))
    })

    test('the healthy route serves', async () => {
      const response = await host.target.send('/healthy')
      assert.equal(response.status, 200)
      assert.deepEqual(await response.json(), { healthy: true })
    })

    test("each broken route answers 500 through the app's error handling, with its load error", async () => {
      for (const { path } of BROKEN) {
        const response = await host.target.send(path, { method: path === '/missing-import' ? 'POST' : 'GET' })
        assert.equal(response.status, 500)
        assert.equal(await response.text(), 'Internal Server Error')
      }
      assert.deepEqual(host.seen, BROKEN.map(() => 'RH_ERR_ROUTE_LOAD'))
    })
  })
}

test('Fastify with failOnLoadError: register() rejects listing every broken file', async () => {
  const app = Fastify()
  app.register(routeHandlersPlugin, { dir: BROKEN_APP, logger: recordingLogger([]), failOnLoadError: true })
  await assert.rejects(async () => {
    await app.ready()
  }, (error: unknown) => {
    assert.ok(isRouteHandlersError(error))
    assert.equal(error.code, 'RH_ERR_ROUTES_LOAD')
    for (const { path } of BROKEN) assert.match(error.message, new RegExp(`${path.slice(1)}/route`))
    return true
  })
  await app.close()
})
