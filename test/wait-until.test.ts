/**
 * `waitUntil()` from `@vercel/functions` in route files (dub's background work) on real Express and
 * Fastify servers: a failure is logged through the logger instead of ending the process as an
 * unhandled rejection, and a shutdown (`close()`, `fastify.close()`) waits for the work, as for
 * `after()`. Outside a route handler's request there is no context, as off Vercel.
 */
import { waitUntil } from '@vercel/functions'
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, listen } from './helpers/targets.ts'

const DIR = fileURLToPath(new URL('./fixtures/wait-until-app', import.meta.url))

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
after(() => process.off('unhandledRejection', onUnhandled))

interface Served {
  send(path: string): Promise<Response>
  /** The host's shutdown: server closed, then the route handlers' pending work waited for. */
  shutDown(): Promise<void>
}

type Logged = Array<{ message: string; error: unknown }>

const hosts: Record<string, (logged: Logged) => Promise<Served>> = {
  Express: async (logged) => {
    const middleware = await routeHandlers({ dir: DIR, logger: { warn() {}, error: (message, error) => void logged.push({ message, error }) } }).ready()
    const app = express()
    app.use(middleware)
    const target = await listen(app)
    return { send: target.send, shutDown: async () => (await target.close(), await middleware.close()) }
  },
  Fastify: async (logged) => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: DIR, logger: { warn() {}, error: (message, error) => void logged.push({ message, error }) } })
    const target = await fastifyListening(app)
    return { send: target.send, shutDown: () => app.close() }
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: waitUntil() from @vercel/functions`, () => {
    test('a rejected promise is logged through the logger, never an unhandled rejection; the process serves on', async () => {
      const logged: Logged = []
      const served = await start(logged)
      try {
        const response = await served.send('/fails')
        assert.deepEqual(await response.json(), { ok: true })
        for (let turn = 0; turn < 20 && logged.length === 0; turn++) await nextTurn()
        assert.deepEqual(
          logged.map(({ message, error }) => [message, (error as Error).message]),
          [['route-handlers: an error occurred in something passed to waitUntil()', 'background failed']],
        )
        assert.equal((await served.send('/fails')).status, 200)
      } finally {
        await served.shutDown()
      }
      await nextTurn()
      assert.deepEqual(unhandled, [])
    })

    test('a shutdown waits for the work', async () => {
      const events: string[] = []
      let open = () => {}
      const opened = new Promise<void>((resolve) => (open = resolve))
      ;(globalThis as { __waitUntilGate?: unknown }).__waitUntilGate = { events, opened }
      const served = await start([])
      assert.equal((await served.send('/slow')).status, 202)
      const closing = served.shutDown().then(() => void events.push('closed'))
      for (let turn = 0; turn < 5; turn++) await nextTurn()
      assert.deepEqual(events, [])
      open()
      await closing
      assert.deepEqual(events, ['background finished', 'closed'])
    })
  })
}

test('outside a route handler request there is no request context: waitUntil() does nothing, as off Vercel', () => {
  const reader = (globalThis as Record<symbol, { get(): unknown } | undefined>)[Symbol.for('@vercel/request-context')]
  assert.equal(typeof reader?.get, 'function', 'installed by the route handlers the tests above made')
  assert.equal(reader!.get(), undefined)
  assert.equal(waitUntil(Promise.resolve()), undefined)
})
