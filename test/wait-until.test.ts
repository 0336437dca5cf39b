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
import { execFileSync } from 'node:child_process'
import { after, describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, listen } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

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

// Review: while the request store is off (nothing has needed it yet), the app's own code reading
// the context during a route handler's request got that request's URL and headers (its
// Authorization, its cookies). A fresh process, where the store is still off.
test("the app's own code, while a route handler's request runs and the store is off, gets no request data", () => {
  const dir = tempRouteFolder({
    'slow/route.ts': [
      'export async function GET() {',
      '  await (globalThis as { __slowGate?: Promise<void> }).__slowGate',
      "  return new Response('slow')",
      '}',
      '',
    ].join('\n'),
  })
  const index = JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)
  const program = `
    const { createRouteHandlers } = await import(${index})
    let open
    globalThis.__slowGate = new Promise((resolve) => (open = resolve))
    const routes = await createRouteHandlers({ dir: ${JSON.stringify(dir)} }).ready()
    const answer = routes.handle(new Request('http://localhost/slow', { headers: { authorization: 'Bearer SECRET-OF-ALICE' } }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const context = globalThis[Symbol.for('@vercel/request-context')].get()
    open()
    await (await answer).text()
    console.log(JSON.stringify({ headers: context?.headers, url: context?.url }))
  `
  const seen = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' })) as { headers?: object; url?: string }
  assert.deepEqual(seen, { headers: {}, url: '' })
})
