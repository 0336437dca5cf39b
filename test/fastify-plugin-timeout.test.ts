import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { isRouteHandlersError } from '../lib/index.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// A route file whose top level waits until the test lets it finish: loading outlasts any timeout
// without the test depending on how long anything takes.
const gate = globalThis as { releaseSlowRoute?: () => void }

test('Fastify: loading that outlasts pluginTimeout is named in the log (a warning at half, RH_ERR_HOST_PLUGIN_TIMEOUT when it runs out), beside Fastify\'s FST_ERR_PLUGIN_TIMEOUT (issue 13)', async () => {
  const dir = tempRouteFolder({
    'slow/route.ts': 'await new Promise<void>((resolve) => (globalThis as { releaseSlowRoute?: () => void }).releaseSlowRoute = resolve)\nexport const GET = () => new Response("late")\n',
  })
  const logged: { level: string; message: string; error?: unknown }[] = []
  let timedOut!: () => void
  const errorLogged = new Promise<void>((resolve) => (timedOut = resolve))
  const logger = {
    warn: (message: string) => logged.push({ level: 'warn', message }),
    error: (message: string, error?: unknown) => {
      logged.push({ level: 'error', message, error })
      timedOut()
    },
  }
  const app = Fastify({ pluginTimeout: 200 })
  app.register(routeHandlersPlugin, { dir, logger })
  await assert.rejects(async () => app.ready(), (error: unknown) => (error as { code?: string }).code === 'FST_ERR_PLUGIN_TIMEOUT')
  await errorLogged
  assert.deepEqual(logged.map((entry) => entry.level), ['warn', 'error'])
  assert.match(logged[0]!.message, /pluginTimeout \(200 ms\)/)
  const error = logged[1]!.error
  assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_HOST_PLUGIN_TIMEOUT')
  assert.match(error.message, /pluginTimeout/)
  gate.releaseSlowRoute?.()
  await app.close().catch(() => {})
})

// A trial: with the README's `await fastify.register()`, avvio fails the boot first
// (AVV_ERR_PLUGIN_EXEC_TIMEOUT), and an app that exits on it never logged the plugin's error.
test('Fastify: with await fastify.register(), RH_ERR_HOST_PLUGIN_TIMEOUT is logged before the boot fails', async () => {
  const dir = tempRouteFolder({
    'slow/route.ts': 'await new Promise<void>((resolve) => (globalThis as { releaseSlowRoute?: () => void }).releaseSlowRoute = resolve)\nexport const GET = () => new Response("late")\n',
  })
  const codes: string[] = []
  const logger = { warn() {}, error: (_message: string, error?: unknown) => void codes.push((error as { code: string }).code) }
  const app = Fastify({ pluginTimeout: 200 })
  await assert.rejects(
    async () => app.register(routeHandlersPlugin, { dir, logger }),
    (error: unknown) => {
      codes.push((error as { code: string }).code)
      return true
    },
  )
  assert.deepEqual(codes.slice(0, 2), ['RH_ERR_HOST_PLUGIN_TIMEOUT', 'AVV_ERR_PLUGIN_EXEC_TIMEOUT'])
  gate.releaseSlowRoute?.()
  await app.close().catch(() => {})
})

test('Fastify: no word about pluginTimeout when loading finishes in time, or when it is 0', async () => {
  const dir = tempRouteFolder({ 'quick/route.ts': 'export const GET = () => new Response("ok")\n' })
  for (const pluginTimeout of [10_000, 0]) {
    const logged: string[] = []
    const app = Fastify({ pluginTimeout })
    await app.register(routeHandlersPlugin, { dir, logger: { warn: (message) => logged.push(message), error: (message) => logged.push(message) } })
    await app.ready()
    assert.equal((await app.inject({ url: '/quick' })).body, 'ok')
    assert.deepEqual(logged, [])
    await app.close()
  }
})

// Review: a register() that fails at once (two files for one URL) left the watch's timers running,
// and the first one read the route table before it existed: an uncaught ReferenceError ended the
// process that had handled the failure, some seconds later.
test('Fastify: a register() refused at once stops the pluginTimeout watch: nothing is logged or thrown later', async () => {
  const dir = tempRouteFolder({ '(a)/x/route.ts': 'export const GET = () => new Response("a")\n', '(b)/x/route.ts': 'export const GET = () => new Response("b")\n' })
  const logged: string[] = []
  const uncaught: unknown[] = []
  const record = (error: unknown) => uncaught.push(error)
  process.on('uncaughtException', record)
  try {
    const app = Fastify({ pluginTimeout: 200 })
    app.register(routeHandlersPlugin, { dir, logger: { warn: (message: string) => logged.push(message), error: (message: string) => logged.push(message) } })
    await assert.rejects(async () => app.ready(), (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_ROUTE_DUPLICATE')
    await app.close().catch(() => {})
    // Past the whole pluginTimeout: the watch's warning (at half) and error would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 400))
    assert.deepEqual(uncaught, [])
    assert.deepEqual(logged, [])
  } finally {
    process.off('uncaughtException', record)
  }
})
