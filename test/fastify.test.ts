import fastifyCompress from '@fastify/compress'
import fastifyCors from '@fastify/cors'
import fastifyFormbody from '@fastify/formbody'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import assert from 'node:assert/strict'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { isRouteHandlersError } from '../lib/errors.ts'
import { entry } from './fixtures/app/next-apis/_after/log.ts'
import { runBehaviour } from './helpers/behaviour.ts'
import { rawRequest } from './helpers/http.ts'
import { APP_DIR, fastifyTarget, quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

runBehaviour('Fastify at the root', () => fastifyTarget(''))
runBehaviour('Fastify under /api', () => fastifyTarget('/api'))

/** Starts the app `build` makes for one describe block; `url()` gives its base URL. */
function withApp(build: (app: FastifyInstance) => Promise<void>, options: FastifyServerOptions = {}): { url: () => string; app: () => FastifyInstance } {
  let app: FastifyInstance
  let base = ''
  before(async () => {
    app = Fastify(options)
    await build(app)
    await app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  })
  after(async () => {
    app.server.closeAllConnections()
    await app.close()
  })
  return { url: () => base, app: () => app }
}

describe('Fastify: routes are Fastify routes', () => {
  const server = withApp(async (app) => {
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger })
  })

  test('hasRoute() and printRoutes() see them', () => {
    assert.equal(server.app().hasRoute({ method: 'GET', url: '/api/items/:slug' }), true)
    assert.match(server.app().printRoutes({ commonPrefix: false }), /rss\.xml/)
  })

  test('a conflict with an existing route fails at start-up, naming the file', async () => {
    const app = Fastify()
    app.get('/api/items', async () => 'legacy')
    await assert.rejects(async () => app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger }), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'RH_ERR_HOST_ROUTE_CONFLICT')
      assert.match((error as Error).message, /items\/route\.ts" cannot be registered at "\/api\/items": the app already has GET and HEAD routes for that URL/)
      return true
    })
    await app.close()
  })

  test('the conflict names the method the app has, not every method of the file (trial)', async () => {
    const dir = tempRouteFolder({ 'orders/route.ts': 'export const GET = () => new Response("a")\nexport const POST = () => new Response("b")\n' })
    const app = Fastify()
    app.post('/orders', async () => 'legacy')
    await assert.rejects(async () => app.register(routeHandlersPlugin, { dir, logger: quietLogger }), /cannot be registered at "\/orders": the app already has a POST route for that URL/)
    await app.close()
  })
})

// Trial: @fastify/swagger listed every GET file with a `head` operation (its HEAD was in the
// route's method list, where the plugin looks for a HEAD route of its own), and the fallback's
// `/` and `/*` as `/api/` and `/api/{*}` with every method.
describe('Fastify: API documentation (@fastify/swagger) lists the route files as the app’s own routes', () => {
  const server = withApp(async (app) => {
    await app.register(fastifySwagger, { openapi: { info: { title: 'api', version: '1' } } })
    app.get('/legacy', async () => 'legacy')
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger })
  })

  test('each file with its own methods, no HEAD operations, no fallback paths', () => {
    const paths = server.app().swagger().paths as Record<string, Record<string, unknown>>
    assert.deepEqual(Object.keys(paths['/legacy']!), ['get'])
    assert.deepEqual(Object.keys(paths['/api/items/{slug}']!), ['get'])
    assert.deepEqual(Object.keys(paths['/api/dispatch/all-methods']!).sort(), ['delete', 'get', 'patch', 'post', 'put'])
    // The fallback's `/*` (every method, TRACE and all), and no operation of a method no file has.
    assert.equal(paths['/api/{*}'], undefined)
    assert.deepEqual(Object.entries(paths).filter(([, operations]) => 'trace' in operations || 'head' in operations), [])
  })

  test('HEAD is still answered', async () => {
    const response = await fetch(`${server.url()}/api/dispatch/only-get`, { method: 'HEAD' })
    assert.equal(response.status, 200)
  })
})

// Trial: with `fall-through`, a method a file lacks reached the not-found handler even where the
// app routes the prefix to the old service (`fastify.all('/api/*')`, a strangler proxy).
describe("Fastify: onMissingMethod 'fall-through' hands a method the file lacks to the app's own routes", () => {
  const server = withApp(async (app) => {
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger, onMissingMethod: 'fall-through' })
    app.all('/api/*', async (request) => `legacy ${request.method}`)
  })
  const send = (path: string, method = 'GET') => fetch(`${server.url()}${path}`, { method })

  test('the methods it exports are the file’s, the others the app’s wildcard, OPTIONS included', async () => {
    assert.equal(await (await send('/api/dispatch/only-get')).text(), 'body of GET')
    assert.equal(await (await send('/api/dispatch/only-get', 'PUT')).text(), 'legacy PUT')
    assert.equal(await (await send('/api/dispatch/only-get', 'OPTIONS')).text(), 'legacy OPTIONS')
    assert.equal(await (await send('/api/not-a-route-file', 'POST')).text(), 'legacy POST')
  })

  test("without such a route, the app's not-found handler answers", async () => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger, onMissingMethod: 'fall-through' })
    const response = await app.inject({ method: 'PUT', url: '/api/dispatch/only-get' })
    assert.equal(response.statusCode, 404)
    assert.equal((await app.inject({ method: 'PUT', url: '/api/dispatch/all-methods' })).statusCode, 200)
    await app.close()
  })
})

// Trial: under `inject()` (light-my-request: a response without a socket, whose writableFinished
// stays false) every request's signal aborted after a normal answer, running abort cleanup that
// production never runs. A request that does not end in full still aborts.
test('fastify.inject(): request.signal does not abort after a normal answer, streamed or not', async () => {
  const seen = ((globalThis as { injectSignals?: string[] }).injectSignals = [])
  const watch = "const watch = (request: Request, name: string) => request.signal.addEventListener('abort', () => (globalThis as { injectSignals?: string[] }).injectSignals!.push(name))\n"
  const dir = tempRouteFolder({
    'plain/route.ts': `${watch}export function GET(request: Request) { watch(request, 'plain'); return Response.json({ ok: true }) }\n`,
    'stream/route.ts': `${watch}export function GET(request: Request) { watch(request, 'stream'); return new Response(new ReadableStream({ pull(c) { c.enqueue(new TextEncoder().encode('chunk')); c.close() } })) }\n`,
  })
  const app = Fastify()
  await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
  try {
    assert.equal((await app.inject('/plain')).json().ok, true)
    assert.equal((await app.inject('/stream')).body, 'chunk')
    // light-my-request emits `close` on the next tick after the answer.
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(seen, [])
  } finally {
    await app.close()
  }
})

// Trial: with Fastify's default `Fastify()` (no logger) a broken route file went unsaid.
test('an app without a logger: a route file that fails to load is said on the console; a silent logger stays silent', async (t) => {
  const dir = tempRouteFolder({ 'broken/route.ts': 'export const GET = (\n', 'ok/route.ts': 'export const GET = () => new Response("ok")\n' })
  const said = t.mock.method(console, 'error', () => {})
  const bare = Fastify()
  await bare.register(routeHandlersPlugin, { dir })
  await bare.close()
  assert.equal(said.mock.callCount(), 1)
  assert.match(String(said.mock.calls[0]!.arguments[0]), /broken\/route\.ts/)
  const silent = Fastify({ logger: { level: 'silent' } })
  await silent.register(routeHandlersPlugin, { dir })
  await silent.close()
  assert.equal(said.mock.callCount(), 1)
})

describe("Fastify: buffered reads obey Fastify's bodyLimit", () => {
  const server = withApp(async (app) => {
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: quietLogger })
  }, { bodyLimit: 100 })

  test('a JSON body over the app bodyLimit → 413; under it → read', async () => {
    const post = (body: string) => fetch(`${server.url()}/bodies/json`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    assert.equal((await post(JSON.stringify({ pad: 'x'.repeat(200) }))).status, 413)
    assert.deepEqual(await (await post('{"small":true}')).json(), { received: { small: true } })
  })
})

describe("Fastify: the app's hooks, plugins and handlers apply", () => {
  const errors: unknown[] = []
  const server = withApp(async (app) => {
    await app.register(fastifyCors, { origin: '*' })
    await app.register(fastifyCompress, { threshold: 0 })
    await app.register(fastifyFormbody)
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/api/items') && request.headers.authorization !== 'Bearer ok') {
        return reply.code(401).send({ error: 'blocked by the app' })
      }
    })
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ notFound: 'app handler' }))
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error)
      return reply.code(599).send({ error: 'app error handler' })
    })
    app.post('/legacy/form', async (request) => ({ parsedByFormbody: request.body }))
    app.addHook('onSend', async (_request, reply) => {
      reply.header('x-type-seen-on-send', reply.getHeader('content-type'))
    })
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger })
  })

  test('an onRequest auth hook blocks a route handler', async () => {
    const blocked = await fetch(`${server.url()}/api/items`)
    assert.equal(blocked.status, 401)
    assert.deepEqual(await blocked.json(), { error: 'blocked by the app' })
    const allowed = await fetch(`${server.url()}/api/items`, { headers: { authorization: 'Bearer ok' } })
    assert.equal(allowed.status, 200)
  })

  test('@fastify/cors headers are on a streamed response', async () => {
    const response = await fetch(`${server.url()}/api/stream`, { headers: { origin: 'https://app.example' } })
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    assert.equal(await response.text(), '<p>One</p><p>Two</p><p>Three</p>')
  })

  test('@fastify/compress keeps the status and every Set-Cookie', async () => {
    const response = await fetch(`${server.url()}/api/dispatch/cookie-merge`, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(response.status, 200)
    assert.equal(response.headers.getSetCookie().length, 4)
    assert.ok(response.headers.getSetCookie().includes('c=3; Path=/c; HttpOnly'))
    const created = await fetch(`${server.url()}/api/dispatch/status/201`, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(created.status, 201)
    assert.equal(await created.text(), 'status 201')
  })

  test('NextResponse.json() keeps application/json through onSend hooks and @fastify/compress (issue 10 #12)', async () => {
    for (const kind of ['next-json', 'next-json-cookie']) {
      const response = await fetch(`${server.url()}/api/dispatch/json-content-type?kind=${kind}`, { headers: { 'accept-encoding': 'gzip' } })
      assert.equal(response.headers.get('content-encoding'), 'gzip', kind)
      assert.equal(response.headers.get('content-type'), 'application/json', kind)
      assert.equal(response.headers.get('x-type-seen-on-send'), 'application/json', kind)
      assert.deepEqual(await response.json(), { ok: true }, kind)
    }
  })

  test('a gzip request body, inflated by @fastify/compress (a paused stream), is read by json(), text() and formData()', async () => {
    const gzipped = gzipSync('{"z":2}')
    const response = await fetch(`${server.url()}/api/echo`, { method: 'POST', body: gzipped, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { res: { z: 2 } })
    const form = await fetch(`${server.url()}/api/form`, {
      method: 'POST',
      body: gzipSync('name=Ada&email=ada%40example.com'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
    })
    assert.deepEqual(await form.json(), { name: 'Ada', email: 'ada@example.com', file: null })
  })

  test('compression applies to a route handler response', async () => {
    const response = await fetch(`${server.url()}/api/rss.xml`, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(response.headers.get('content-encoding'), 'gzip')
    assert.match(await response.text(), /<rss version="2.0">/)
  })

  test('@fastify/formbody at the root does not pre-parse a route handler body; legacy routes still get it', async () => {
    const form = { method: 'POST', body: 'name=Ada&email=ada%40example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    const routeHandler = await fetch(`${server.url()}/api/form`, form)
    assert.deepEqual(await routeHandler.json(), { name: 'Ada', email: 'ada@example.com', file: null })
    const legacy = await fetch(`${server.url()}/legacy/form`, form)
    assert.deepEqual(await legacy.json(), { parsedByFormbody: { name: 'Ada', email: 'ada@example.com' } })
  })

  test("the app's not-found handler answers unmatched paths", async () => {
    for (const path of ['/api/nothing/here', '/api/conventions/files/']) {
      const response = await fetch(`${server.url()}${path}`)
      assert.equal(response.status, 404, path)
      assert.deepEqual(await response.json(), { notFound: 'app handler' })
    }
  })

  test("the app's error handler gets handler exceptions and non-Response results", async () => {
    const thrown = await fetch(`${server.url()}/api/dispatch/throws`)
    assert.equal(thrown.status, 599)
    assert.equal((errors.at(-1) as Error).message, 'secret detail from the handler')
    await fetch(`${server.url()}/api/dispatch/returns-nothing`)
    assert.equal((errors.at(-1) as { code?: string }).code, 'RH_ERR_HANDLER_RESULT')
  })
})

describe('Fastify: shutdown', () => {
  // Trial: Fastify runs onClose hooks last-added first, and an app's own (ending the database pool
  // its after() work writes with) added after registering the plugin ran first: the work failed.
  test("fastify.close() waits for pending after() work, which finishes before the app's own onClose hooks added after the plugin", async () => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: quietLogger })
    const id = randomUUID()
    const log = entry(id)
    app.addHook('onClose', async () => void log.events.push('pool ended'))
    await app.listen({ port: 0, host: '127.0.0.1' })
    const response = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/next-apis/after/slow?id=${id}`)
    assert.equal(await response.text(), 'sent')
    const closing = app.close().then(() => log.events.push('closed'))
    await new Promise((resolve) => setImmediate(resolve))
    log.release()
    await closing
    assert.deepEqual(log.events, ['started', 'finished', 'pool ended', 'closed'])
  })

  // Review: waiting for every pending callback from preClose, before the server closes, waited for
  // a response that streams until the server closes it: fastify.close() never finished.
  test('a stream still open at shutdown, whose handler called after(), does not hold fastify.close(); its callback runs', async () => {
    const probe = globalThis as { __streamAfterRan?: boolean }
    const dir = tempRouteFolder({
      'events/route.ts': [
        "import { after } from 'next/server'",
        'export function GET() {',
        '  after(() => void ((globalThis as { __streamAfterRan?: boolean }).__streamAfterRan = true))',
        "  const stream = new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('data: 1\\n\\n')), pull: () => new Promise(() => {}) })",
        "  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } })",
        '}',
        '',
      ].join('\n'),
    })
    const app = Fastify({ forceCloseConnections: true })
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const response = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/events`)
    const reader = response.body!.getReader()
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'data: 1\n\n')
    await app.close()
    assert.equal(probe.__streamAfterRan, true)
    await reader.cancel().catch(() => {})
  })
})

describe('Fastify: trustProxy and the x-forwarded-* headers', () => {
  const forwarded = { 'x-forwarded-host': 'example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' }
  const register = async (app: FastifyInstance) => {
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: quietLogger })
  }
  const trusting = withApp(register, { trustProxy: true })
  const plain = withApp(register)
  const read = async (base: string, headers: Record<string, string> = {}) =>
    (await (await fetch(`${base}/next-apis/forwarded`, { headers })).json()) as Record<string, string>

  test('with trustProxy, request.url is what the proxy says; the headers stay as sent, the port is filled', async () => {
    const body = await read(trusting.url(), forwarded)
    assert.equal(body.url, 'https://example.com/next-apis/forwarded')
    assert.deepEqual([body.host, body.proto, body.for, body.port], ['example.com', 'https', '203.0.113.7', new URL(trusting.url()).port])
  })

  // Adversarial probing: the scheme was not checked, and a host seen once was not checked again.
  test('with trustProxy, an X-Forwarded-Proto other than http(s) is 400, even for a host seen before; HTTPS is https', async () => {
    await read(trusting.url(), forwarded)
    for (const proto of ['a b', 'http:', 'http://evil.example/?', 'javascript']) {
      const response = await fetch(`${trusting.url()}/next-apis/forwarded`, { headers: { ...forwarded, 'x-forwarded-proto': proto } })
      assert.equal(response.status, 400, proto)
      await response.text()
    }
    assert.equal((await read(trusting.url(), { ...forwarded, 'x-forwarded-proto': 'HTTPS' })).url, 'https://example.com/next-apis/forwarded')
  })

  test('with trustProxy and nothing forwarded, they come from the connection', async () => {
    const body = await read(trusting.url())
    assert.deepEqual([body.host, body.proto, body.for], [new URL(trusting.url()).host, 'http', '127.0.0.1'])
  })

  test('without trustProxy, request.url ignores them, and the headers are still kept, as Next.js keeps them', async () => {
    const body = await read(plain.url(), forwarded)
    assert.equal(body.url, `${plain.url()}/next-apis/forwarded`)
    assert.deepEqual([body.host, body.proto, body.for], ['example.com', 'https', '203.0.113.7'])
  })

  // Trial: next-auth behind a proxy that terminates TLS, without trustProxy (see untrustedHttpsWarning).
  const warnings: string[] = []
  const recording = { ...quietLogger, warn: (message: string) => void warnings.push(message) }
  const warned = withApp(async (app: FastifyInstance) => {
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: recording })
  })
  const trustingWarnings: string[] = []
  const trustingWarned = withApp(
    async (app: FastifyInstance) => {
      await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: { ...quietLogger, warn: (message: string) => void trustingWarnings.push(message) } })
    },
    { trustProxy: true },
  )
  test('without trustProxy, the first request claiming https through a proxy warns once, naming the setting; with it, none', async () => {
    await read(warned.url())
    assert.deepEqual(warnings, [], 'nothing claimed https')
    await read(warned.url(), forwarded)
    await read(warned.url(), forwarded)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /X-Forwarded-Proto naming https.*Fastify\(\{ trustProxy: 1 \}\)/s)
    await read(trustingWarned.url(), forwarded)
    assert.deepEqual(trustingWarnings, [])
  })
})

describe('Fastify: ignoreTrailingSlash in either spelling', () => {
  const register = async (app: FastifyInstance) => {
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger })
  }
  const spellings: [string, FastifyServerOptions][] = [
    ['Fastify 5 routerOptions', { routerOptions: { ignoreTrailingSlash: true } }],
    ['the deprecated top-level option', { ignoreTrailingSlash: true }],
    ['the top-level option beside other routerOptions', { ignoreTrailingSlash: true, routerOptions: { maxParamLength: 200 } }],
  ]
  for (const [name, options] of spellings) {
    const server = withApp(register, options)
    test(`${name}: register() does not fail with RH_ERR_HOST_ROUTE_CONFLICT, and /items/ is served (issue 10 #13)`, async () => {
      for (const path of ['/api/items', '/api/items/', '/api/items/widget/']) assert.equal((await fetch(`${server.url()}${path}`)).status, 200, path)
    })
  }
})

/** A route folder whose requests fail in each way this package reports, and one the handler's own. */
function failingRoutes(): string {
  return tempRouteFolder({
    'returns-nothing/route.ts': 'export const GET = () => undefined\n',
    'middleware/route.ts': "import { NextResponse } from 'next/server'\nexport const GET = () => NextResponse.next()\n",
    'broken/route.ts': "import './missing.ts'\nexport const GET = () => new Response('never')\n",
    'throws/route.ts': "export const GET = () => {\n  throw new Error('secret detail from the handler')\n}\n",
  })
}

/** Runs the describe block's servers with NODE_ENV=production, from start-up (route files load then) on. */
function inProduction(): void {
  let previous: string | undefined
  before(() => {
    previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
  })
  after(() => {
    if (previous === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previous
  })
}

// Known since issue 10: `after()` failures were logged through the app's logger without the
// request's `reqId`, so they could not be told apart under load.
describe("Fastify: after() and waitUntil() failures are logged with their request's reqId", () => {
  const dir = tempRouteFolder({
    'work/route.ts': [
      "import { after } from 'next/server'",
      'export function GET() {',
      "  after(() => { throw new Error('callback failed') })",
      "  after(() => Promise.reject(new Error('async callback failed')))",
      "  after(Promise.reject(new Error('promise failed')))",
      "  return new Response('ok')",
      '}',
      '',
    ].join('\n'),
  })
  // dub's `waitUntil()` from @vercel/functions (a fixture: a temporary folder finds no node_modules).
  const waitUntilApp = fileURLToPath(new URL('./fixtures/wait-until-app', import.meta.url))
  const logs: Array<{ reqId?: string; msg: string; err?: { message: string } }> = []
  const server = withApp(
    async (app) => {
      await app.register(routeHandlersPlugin, { dir, prefix: '/a' })
      await app.register(routeHandlersPlugin, { dir: waitUntilApp, prefix: '/w' })
    },
    { logger: { level: 'error', stream: { write: (line: string) => void logs.push(JSON.parse(line)) } }, requestIdHeader: 'x-request-id' },
  )

  test('each failure names the request it came from', async () => {
    assert.equal(await (await fetch(`${server.url()}/a/work`, { headers: { 'x-request-id': 'trace-7' } })).text(), 'ok')
    assert.equal((await fetch(`${server.url()}/w/fails`, { headers: { 'x-request-id': 'trace-8' } })).status, 200)
    const failures = () => logs.filter((line) => line.msg.startsWith('route-handlers: an error occurred'))
    // Logged once the responses have gone: waited for by count, never by time.
    while (failures().length < 4) await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(
      failures().map((line) => `${line.reqId} ${line.err?.message}`).sort(),
      ['trace-7 async callback failed', 'trace-7 callback failed', 'trace-7 promise failed', 'trace-8 background failed'],
    )
  })
})

describe("Fastify's default error handler in production: our 500 bodies name no file and no path (issue 10 #14)", () => {
  inProduction()
  const dir = failingRoutes()
  const logs: string[] = []
  const seen: unknown[] = []
  const plain = withApp(async (app) => {
    await app.register(routeHandlersPlugin, { dir })
  }, { logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } } })
  const handled = withApp(async (app) => {
    app.setErrorHandler((error, _request, reply) => {
      seen.push(error)
      return reply.code(500).send('app error page')
    })
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
  })

  test('RH_ERR_HANDLER_RESULT, RH_ERR_HANDLER_NEXT_RESPONSE and RH_ERR_ROUTE_LOAD bodies carry the code only; the log has it all', async () => {
    const cases = [
      ['/returns-nothing', 'RH_ERR_HANDLER_RESULT', /returns-nothing\/route\.ts/],
      ['/middleware', 'RH_ERR_HANDLER_NEXT_RESPONSE', /middleware\/route\.ts/],
      ['/broken', 'RH_ERR_ROUTE_LOAD', /missing\.ts/],
    ] as const
    for (const [path, code, detail] of cases) {
      const response = await fetch(`${plain.url()}${path}`)
      assert.equal(response.status, 500, path)
      const text = await response.text()
      const body = JSON.parse(text) as Record<string, string>
      assert.equal(body.code, code)
      assert.ok(body.message!.includes(code), text)
      assert.doesNotMatch(text, detail)
      assert.ok(!text.includes('route.ts') && !text.includes(dir), text)
      assert.ok(logs.some((line) => line.includes(code) && detail.test(line)), `${code}: the log names the file`)
    }
  })

  test("a handler's own exception keeps Fastify's convention: its message is sent", async () => {
    const response = await fetch(`${plain.url()}/throws`)
    assert.equal(response.status, 500)
    assert.equal(((await response.json()) as { message: string }).message, 'secret detail from the handler')
  })

  test("the app's error handler still gets our error object, with its code and the full text in detail", async () => {
    assert.equal(await (await fetch(`${handled.url()}/returns-nothing`)).text(), 'app error page')
    const error = seen.at(-1)
    assert.ok(isRouteHandlersError(error))
    assert.equal(error.code, 'RH_ERR_HANDLER_RESULT')
    assert.match(error.detail!, /GET handler in "returns-nothing\/route\.ts" returned undefined/)
    assert.match(error.stack!, /returns-nothing\/route\.ts/)
  })
})

describe('Fastify: @fastify/formbody in any order leaves route handler bodies to formData() (issue 10 #11)', () => {
  const form = { method: 'POST', body: 'name=Ada&email=ada%40example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' } }
  const plugin = { dir: APP_DIR, prefix: '/api', logger: quietLogger }
  const orders: [string, (app: FastifyInstance) => Promise<void>][] = [
    ['formbody registered before the plugin', async (app) => {
      await app.register(fastifyFormbody)
      await app.register(routeHandlersPlugin, plugin)
    }],
    ['formbody registered after the plugin', async (app) => {
      await app.register(routeHandlersPlugin, plugin)
      await app.register(fastifyFormbody)
    }],
    ['both registered without await, formbody last', async (app) => {
      void app.register(routeHandlersPlugin, plugin)
      void app.register(fastifyFormbody)
    }],
    ["each inside the app's own fastify-plugin wrappers", async (app) => {
      await app.register(fastifyPlugin(async (scope) => void (await scope.register(routeHandlersPlugin, plugin))))
      await app.register(fastifyPlugin(async (scope) => void (await scope.register(fastifyFormbody))))
    }],
  ]
  for (const [name, register] of orders) {
    const server = withApp(async (app) => {
      app.post('/legacy/form', async (request) => ({ parsedByFormbody: request.body }))
      await register(app)
    })
    test(name, async () => {
      const routeHandler = await fetch(`${server.url()}/api/form`, form)
      assert.deepEqual(await routeHandler.json(), { name: 'Ada', email: 'ada@example.com', file: null })
      const legacy = await fetch(`${server.url()}/legacy/form`, form)
      assert.deepEqual(await legacy.json(), { parsedByFormbody: { name: 'Ada', email: 'ada@example.com' } })
    })
  }

  test('the plugin itself wrapped in fastify-plugin (its scope lost, formbody would read the body first) fails register() with RH_ERR_HOST_NOT_ENCAPSULATED', async () => {
    // A copy of the module: fastify-plugin marks the function it wraps, for every later register().
    const copy = (await import(new URL('../adapters/fastify.ts?wrapped', import.meta.url).href)) as typeof import('../adapters/fastify.ts')
    const app = Fastify()
    await assert.rejects(async () => app.register(fastifyPlugin(copy.routeHandlersPlugin), plugin), { code: 'RH_ERR_HOST_NOT_ENCAPSULATED' })
    await app.close()
  })
})

describe('Fastify: each route file is registered for its own methods, bound to that file (issue 13)', () => {
  const dir = tempRouteFolder({
    'only-get/route.ts': "export const GET = () => new Response('only-get')\n",
    'both/[id]/route.ts': "export const GET = () => new Response('get')\nexport const POST = () => new Response('post')\n",
    'own-options/route.ts': "export const GET = () => new Response('get')\nexport const OPTIONS = () => new Response('own options')\n",
    'blog/new/route.ts': "export const GET = () => new Response('new')\n",
    'blog/[slug]/route.ts': "export const GET = (_: Request, { params }: { params: { slug: string } }) => new Response(`slug ${params.slug}`)\n",
    'dashed/[post-id]/route.ts': "export const GET = () => new Response('dashed')\n",
  })
  const registered: Array<[string, string]> = []
  const seenByHooks: string[] = []
  const paramsSeenByHooks: unknown[] = []
  const server = withApp(async (app) => {
    app.addHook('onRoute', (route) => void registered.push([route.url, [route.method].flat().join(', ')]))
    app.addHook('onRequest', async (request) => void seenByHooks.push(`${request.method} ${request.routeOptions.url}`))
    app.addHook('preHandler', async (request) => void paramsSeenByHooks.push({ ...(request.params as object) }))
    await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
    // What @fastify/static registers: the plugin's fallback for other methods stays out of its way.
    app.get('/*', async (request) => `app: ${request.url}`)
  })
  const send = async (path: string, method = 'GET') => {
    const response = await fetch(`${server.url()}${path}`, { method })
    return [response.status, response.headers.get('allow'), await response.text()].filter(Boolean).join(' ')
  }

  test('printRoutes() lists each file with the methods it exports, HEAD beside GET, OPTIONS only when exported', () => {
    const printed = server.app().printRoutes({ commonPrefix: false })
    assert.match(printed, /only-get \(GET, HEAD\)\n/)
    assert.match(printed, /both\/:id \(GET, POST, HEAD\)\n/)
    assert.match(printed, /own-options \(GET, OPTIONS, HEAD\)\n/)
  })

  test('the router holds one entry per exported method (+ HEAD) under the file\'s own URL (no /x/ twin), and one fallback per mount', () => {
    const files = registered.filter(([url]) => !url.endsWith('/*') && url !== '/api')
    assert.ok(files.every(([url]) => !url.endsWith('/')), String(files))
    const entries = files.reduce((count, [, methods]) => count + methods.split(', ').length, 0)
    // only-get 2, both 3, own-options 3, blog/new 2, blog/[slug] 2, dashed/[post-id] 2.
    assert.equal(entries, 2 + 3 + 3 + 2 + 2 + 2)
    const fallback = registered.filter(([url]) => url === '/api' || url === '/api/*')
    assert.equal(fallback.length, 2)
  })

  test('a method the file does not export: 405 with Allow; OPTIONS: 204 with Allow, or the file’s own', async () => {
    assert.equal(await send('/api/only-get', 'POST'), '405 GET, HEAD, OPTIONS')
    assert.equal(await send('/api/only-get/', 'DELETE'), '405 GET, HEAD, OPTIONS')
    assert.equal(await send('/api/only-get', 'OPTIONS'), '204 GET, HEAD, OPTIONS')
    assert.equal(await send('/api/own-options', 'OPTIONS'), '200 own options')
    assert.equal(await send('/api/both/7', 'PUT'), '405 GET, HEAD, OPTIONS, POST')
    assert.equal(await send('/api/both/7', 'POST'), '200 post')
    // A param over maxParamLength, for a method the file lacks: the core's 414, as on every host. (For
    // its own GET, Fastify's router decides: here the app's `/*` takes it, as for a native route.)
    assert.match(await send(`/api/both/${'a'.repeat(101)}`, 'PUT'), /^414/)
  })

  test("paths no route file takes reach the app's own wildcard route", async () => {
    assert.equal(await send('/api/nothing'), '200 app: /api/nothing')
    assert.equal(await send('/elsewhere'), '200 app: /elsewhere')
  })

  test("Fastify's hooks see the file's own route for its methods; /x/ is redirected there first", async () => {
    seenByHooks.length = 0
    await send('/api/only-get')
    await send('/api/only-get/')
    await send('/api/both/7', 'POST')
    assert.deepEqual(seenByHooks, ['GET /api/only-get', 'GET /api/*', 'GET /api/only-get', 'POST /api/both/:id'])
  })

  test("Fastify's params carry the folder's name, as for an app's own route (a name find-my-way would split gets one by position)", async () => {
    paramsSeenByHooks.length = 0
    await send('/api/both/7', 'POST')
    await send('/api/dashed/9')
    assert.deepEqual(paramsSeenByHooks, [{ id: '7' }, { p1: '9' }])
  })

  test('/x/ answers 308 to /x as Next.js does (query kept, Refresh as Next sends), for every method; no handler runs under the fallback', async () => {
    seenByHooks.length = 0
    const redirect = await fetch(`${server.url()}/api/only-get/?a=1&b=%20`, { redirect: 'manual' })
    assert.equal(redirect.status, 308)
    assert.equal(redirect.headers.get('location'), '/api/only-get?a=1&b=%20')
    assert.equal(redirect.headers.get('refresh'), '0;url=/api/only-get?a=1&b=%20')
    assert.equal(await redirect.text(), '/api/only-get?a=1&b=%20')
    const post = await fetch(`${server.url()}/api/both/7/`, { method: 'POST', body: 'x', redirect: 'manual' })
    assert.deepEqual([post.status, post.headers.get('location')], [308, '/api/both/7'])
    await post.text()
    assert.deepEqual(seenByHooks, ['GET /api/*', 'POST /api/*'])
    // Followed, as clients do: the file's own route answers.
    assert.equal(await send('/api/both/7/', 'POST'), '200 post')
    assert.equal(await send('/api/blog/new/'), '200 new')
  })

  test('/x// goes where Next.js sends it (308 to /x/, then /x); paths no route file takes are not redirected', async () => {
    const twice = await fetch(`${server.url()}/api/only-get//`, { redirect: 'manual' })
    assert.deepEqual([twice.status, twice.headers.get('location'), await twice.text()], [308, '/api/only-get/', '/api/only-get/'])
    assert.match(await send('/api/nothing/'), /^200 app: /)
    assert.match(await send('/api/nothing//x'), /^200 app: /)
  })

  test('a backslash or a doubled slash is 308 to the clean path when that path is a file\'s (README), not when only the file Fastify routed to would take it as one segment', async () => {
    const port = Number(new URL(server.url()).port)
    const get = (target: string) => rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
    for (const [target, location] of [['/api/both\\7?q=1', '/api/both/7?q=1'], ['/api/blog//x', '/api/blog/x'], ['/api/only-get\\', '/api/only-get/']] as const) {
      const answer = await get(target)
      assert.match(answer, /^HTTP\/1\.1 308 /, target)
      assert.match(answer, new RegExp(`\r\nlocation: ${location.replace(/\?/g, '\\?')}\r\n`, 'i'), target)
    }
    // `dashed/[post-id]` would take `a\b` as its param, but `/dashed/a/b` is no file's: not redirected, and no handler runs.
    for (const target of ['/api/dashed/a\\b', '/api/blog/a\\b?q=1']) {
      const answer = await get(target)
      assert.match(answer, /^HTTP\/1\.1 404 /, target)
      assert.doesNotMatch(answer, /\r\n\r\n(dashed|slug )/, target)
    }
  })

  test('a request Fastify routed to a file by its decoded path is 404, never another file (/blog/%6Eew is not blog/new, nor blog/[slug])', async () => {
    assert.equal(await send('/api/blog/new'), '200 new')
    assert.equal(await send('/api/blog/x'), '200 slug x')
    assert.match(await send('/api/blog/%6Eew'), /^404 /)
    assert.equal(await send('/api/blog/a%20b'), '200 slug a b')
  })
})

// Trial: at the root, `//a/` answered Fastify's 404 where Express and Next.js answer 308 to `/a/`
// (the trailing-slash redirect came first, and its `//a` would name another host).
describe('Fastify at the root: repeated slashes and a backslash before a trailing slash are 308 to the single-slash path first', () => {
  const dir = tempRouteFolder({
    '[...slug]/route.ts': "export const GET = async (_: Request, { params }: { params: Promise<{ slug: string[] }> }) => Response.json((await params).slug)\n",
  })
  const server = withApp(async (app) => {
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
  })

  test('//a/, /\\evil.com/ and ///evil.com/x/ → 308 to /a/, /evil.com/, /evil.com/x/; /a/ → 308 to /a', async () => {
    const port = Number(new URL(server.url()).port)
    for (const [target, location] of [['//a/', '/a/'], ['/\\evil.com/', '/evil.com/'], ['///evil.com/x/', '/evil.com/x/'], ['/a/', '/a']] as const) {
      const answer = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      assert.match(answer, /^HTTP\/1\.1 308 /, target)
      assert.match(answer, new RegExp(`\r\nlocation: ${location}\r\n`, 'i'), target)
    }
  })
})

// Review of issue 13: find-my-way holds one tree per method, with only the methods each file
// exports, so for a method the static file lacks it routes the static path to the [param] file
// beside it. Next.js (and Express, and the core) give the path to the static file: its 405.
describe('Fastify: a method only a [param] file exports is still the static file’s 405 on its path (issue 13 review)', () => {
  const dir = tempRouteFolder({
    'users/me/route.ts': "export const GET = () => new Response('me')\n",
    'users/[id]/route.ts': [
      "export const GET = (_: Request, { params }: { params: { id: string } }) => new Response(`user ${params.id}`)",
      "export const DELETE = (_: Request, { params }: { params: { id: string } }) => new Response(`deleted ${params.id}`)",
      "export const OPTIONS = () => new Response('id options')",
      '',
    ].join('\n'),
    'files/route.ts': "export const POST = () => new Response('files post')\n",
    'files/[...path]/route.ts': "export const GET = (_: Request, { params }: { params: { path: string[] } }) => new Response(`path ${params.path.join('/')}`)\n",
    'broken/route.ts': "throw new Error('broken on purpose')\n",
    '[slug]/route.ts': "export const GET = (_: Request, { params }: { params: { slug: string } }) => new Response(`slug ${params.slug}`)\n",
  })
  const server = withApp(async (app) => {
    await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
  })
  const send = async (path: string, method = 'GET') => {
    const response = await fetch(`${server.url()}/api${path}`, { method })
    return [response.status, response.headers.get('allow'), await response.text()].filter(Boolean).join(' ')
  }

  test('DELETE /users/me is users/me’s 405, not users/[id]’s DELETE with id "me"; OPTIONS is its automatic 204', async () => {
    assert.equal(await send('/users/me', 'DELETE'), '405 GET, HEAD, OPTIONS')
    assert.equal(await send('/users/me', 'OPTIONS'), '204 GET, HEAD, OPTIONS')
    assert.equal(await send('/users/me/', 'DELETE'), '405 GET, HEAD, OPTIONS')
    assert.equal(await send('/users/me'), '200 me')
    assert.equal(await send('/users/7', 'DELETE'), '200 deleted 7')
    assert.equal(await send('/users/7', 'OPTIONS'), '200 id options')
  })

  test('GET /files/ is files/route.ts’s 405 (find-my-way’s wildcard matches it empty), as on Express', async () => {
    assert.equal(await send('/files/'), '405 OPTIONS, POST')
    assert.equal(await send('/files/a/b'), '200 path a/b')
  })

  test('a static file that failed to load answers 500, not the [slug] beside it', async () => {
    assert.match(await send('/broken'), /^500 /)
    assert.equal(await send('/other'), '200 slug other')
  })
})

// Review of issue 13: the fallback matched the handler's URL (Fastify's `originalUrl`), not the
// path Fastify had routed (`request.url`, after the app's `rewriteUrl`).
describe("Fastify with rewriteUrl: the fallback answers for the path Fastify routed, never the original's file (issue 13 review)", () => {
  const dir = tempRouteFolder({
    'only-get/route.ts': "export const GET = () => new Response('only-get')\n",
    'retired/route.ts': "export const POST = () => new Response('retired POST ran')\n",
  })
  const server = withApp(
    async (app) => {
      await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
    },
    // A tenant prefix dropped before routing, and a retired URL sent to its replacement.
    { rewriteUrl: (request) => request.url!.replace(/^\/t\/[^/]+/, '').replace(/^\/api\/retired/, '/api/only-get') },
  )
  const send = async (path: string, method = 'GET') => {
    const response = await fetch(`${server.url()}${path}`, { method })
    return [response.status, response.headers.get('allow'), await response.text()].filter(Boolean).join(' ')
  }

  test('a rewritten path gets its 405 and automatic OPTIONS, as its GET gets its handler', async () => {
    assert.equal(await send('/t/acme/api/only-get'), '200 only-get')
    assert.equal(await send('/t/acme/api/only-get', 'POST'), '405 GET, HEAD, OPTIONS')
    assert.equal(await send('/t/acme/api/only-get', 'OPTIONS'), '204 GET, HEAD, OPTIONS')
  })

  test('a URL the app rewrote away from a route file does not run that file', async () => {
    assert.equal(await send('/api/retired', 'POST'), '405 GET, HEAD, OPTIONS')
    assert.equal(await send('/api/retired'), '200 only-get')
  })
})

// Review of issue 13: the bound routes and the fallback cut `fastify.prefix` off the path as given;
// Fastify keeps `'/'` and `'/api/'` as written, so every route file answered 404.
for (const prefix of ['/', '/api/']) {
  describe(`Fastify with prefix ${JSON.stringify(prefix)}: route files answer under it (issue 13 review)`, () => {
    const dir = tempRouteFolder({
      'only-get/route.ts': "export const GET = (request: import('next/server').NextRequest) => new Response(`${request.nextUrl.basePath}|${request.nextUrl.pathname}`)\n",
    })
    const server = withApp(async (app) => {
      await app.register(routeHandlersPlugin, { dir, prefix, logger: quietLogger })
    })
    const mount = prefix.slice(0, -1)
    const send = async (path: string, method = 'GET') => {
      const response = await fetch(`${server.url()}${mount}${path}`, { method })
      return [response.status, response.headers.get('allow'), await response.text()].filter(Boolean).join(' ')
    }

    test('the file’s own route, its 405 and its automatic OPTIONS; nextUrl splits the mount off', async () => {
      assert.equal(await send('/only-get'), `200 ${mount}|/only-get`)
      assert.equal(await send('/only-get', 'POST'), '405 GET, HEAD, OPTIONS')
      assert.equal(await send('/only-get', 'OPTIONS'), '204 GET, HEAD, OPTIONS')
    })
  })
}

// Trial (Elysia mounted as `app/[[...slugs]]/route.ts`, an uptime check sending HEAD): Fastify
// registers a HEAD route at a prefix's root under `/api/` alone, so `HEAD /api` was its 404.
describe("Fastify: the prefix's root, HEAD and a prefix given with its slash (trial)", () => {
  const files = {
    root: tempRouteFolder({ 'route.ts': "export const GET = () => new Response('root')\n" }),
    ownHead: tempRouteFolder({ 'route.ts': "export const GET = () => new Response('root')\nexport const HEAD = () => new Response(null, { headers: { 'x-own': 'head' } })\n" }),
    optionalCatchAll: tempRouteFolder({ '[[...slugs]]/route.ts': "export const GET = () => new Response('all')\n" }),
  }
  for (const [name, dir] of Object.entries(files)) {
    for (const folds of [false, true]) {
      const server = withApp(
        async (app) => void (await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })),
        folds ? { routerOptions: { ignoreTrailingSlash: true } } : {},
      )
      test(`${name}${folds ? ', ignoreTrailingSlash' : ''}: HEAD /api answers as GET /api does, and /api/ as its GET`, async () => {
        const status = async (path: string, method: string) => (await fetch(`${server.url()}${path}`, { method, redirect: 'manual' })).status
        assert.equal(await status('/api', 'GET'), 200)
        assert.equal(await status('/api', 'HEAD'), 200)
        assert.equal(await status('/api/', 'HEAD'), await status('/api/', 'GET'))
        assert.equal(await status('/api/', 'HEAD'), folds ? 200 : 308)
      })
    }
  }

  // With @fastify/swagger, HEAD is a route of its own (see registerRouteFiles), registered at the
  // prefix's root as Fastify registers the other methods there.
  for (const folds of [false, true]) {
    const documented = withApp(
      async (app) => {
        await app.register(fastifySwagger, { openapi: { info: { title: 'api', version: '1' } } })
        await app.register(routeHandlersPlugin, { dir: files.root, prefix: '/api', logger: quietLogger })
      },
      folds ? { routerOptions: { ignoreTrailingSlash: true } } : {},
    )
    test(`documented by @fastify/swagger${folds ? ', ignoreTrailingSlash' : ''}: HEAD /api answers as GET /api does`, async () => {
      const status = async (path: string, method: string) => (await fetch(`${documented.url()}${path}`, { method, redirect: 'manual' })).status
      assert.equal(await status('/api', 'HEAD'), 200)
      assert.equal(await status('/api/', 'HEAD'), folds ? 200 : 308)
      // Listed as its GET alone (under `/api`, or `/api/` too where Fastify has both).
      const paths = documented.app().swagger().paths as Record<string, object>
      assert.deepEqual([...new Set(['/api', '/api/'].flatMap((path) => Object.keys(paths[path] ?? {})))], ['get'])
    })
  }

  // Fastify routes the root of a prefix given with its slash as `/api/` alone: redirected to
  // `/api`, the client found Fastify's 404.
  const slashPrefix = withApp(async (app) => void (await app.register(routeHandlersPlugin, { dir: files.root, prefix: '/api/', logger: quietLogger })))
  test("prefix '/api/': the root answers at /api/, GET and HEAD", async () => {
    const response = await fetch(`${slashPrefix.url()}/api/`, { redirect: 'manual' })
    assert.equal(`${response.status} ${await response.text()}`, '200 root')
    assert.equal((await fetch(`${slashPrefix.url()}/api/`, { method: 'HEAD', redirect: 'manual' })).status, 200)
  })
})

// Review of the trailing-slash redirect: every `/x/` a route file takes is redirected, whichever
// Fastify route it reached (the fallback, a catch-all's own `/x/*`, a `[param]` route with an
// empty param), under dev reload too; a `/x/` that only the app's `rewriteUrl` made is redirected
// to the rewritten path.
describe('Fastify: /x/ is redirected to /x for every route file, in every mode (trailing-slash review)', () => {
  const dir = tempRouteFolder({
    'items/route.ts': "export const GET = () => new Response('items')\n",
    'items/[slug]/route.ts': "export const GET = (_: Request, { params }: { params: { slug: string } }) => new Response(`item ${params.slug}`)\n",
    'docs/[...slug]/route.ts': "export const GET = (_: Request, { params }: { params: { slug: string[] } }) => new Response(`docs ${params.slug.join('/')}`)\n",
    'opt/[[...slug]]/route.ts': "export const GET = (_: Request, { params }: { params: { slug?: string[] } }) => new Response(`opt ${params.slug?.join('/') ?? '-'}`)\n",
  })
  const rootCatchAll = tempRouteFolder({ '[...all]/route.ts': "export const GET = (_: Request, { params }: { params: { all: string[] } }) => new Response(`all ${params.all.join('/')}`)\n" })
  const handlersSeen: string[] = []
  const servers = {
    plain: withApp(async (app) => {
      app.addHook('onRequest', async (request) => void handlersSeen.push(String(request.routeOptions.url)))
      await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
    }),
    reload: withApp(async (app) => {
      app.addHook('onRequest', async (request) => void handlersSeen.push(String(request.routeOptions.url)))
      await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger, reload: true })
    }),
    rewritten: withApp(
      async (app) => void (await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })),
      { rewriteUrl: (request) => (request.url === '/latest' ? '/api/items/' : request.url!) },
    ),
    rootCatchAll: withApp(async (app) => void (await app.register(routeHandlersPlugin, { dir: rootCatchAll, prefix: '/api', logger: quietLogger }))),
    // A rewrite adding the slash to every URL: a redirect would send the client where it was.
    slashEverywhere: withApp(
      async (app) => void (await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })),
      { rewriteUrl: (request) => request.url!.replace(/\/?(\?|$)/, '/$1') },
    ),
  }
  const redirect = async (server: { url: () => string }, path: string) => {
    const response = await fetch(`${server.url()}${path}`, { redirect: 'manual' })
    await response.arrayBuffer()
    return [response.status, response.headers.get('location')]
  }

  for (const mode of ['plain', 'reload'] as const) {
    test(`${mode}: /items/ (routed to items/[slug]), catch-alls and the optional catch-all's own /x/ are 308s, and no handler ran`, async () => {
      handlersSeen.length = 0
      assert.deepEqual(await redirect(servers[mode], '/api/items/'), [308, '/api/items'])
      assert.deepEqual(await redirect(servers[mode], '/api/docs/a/b/'), [308, '/api/docs/a/b'])
      assert.deepEqual(await redirect(servers[mode], '/api/opt/'), [308, '/api/opt'])
      assert.deepEqual(await redirect(servers[mode], '/api/opt/x/?q=1'), [308, '/api/opt/x?q=1'])
      assert.equal(await (await fetch(`${servers[mode].url()}/api/docs/a/b/`)).text(), 'docs a/b')
      assert.equal(await (await fetch(`${servers[mode].url()}/api/opt/`)).text(), 'opt -')
      // Followed: the files' own routes answered.
      assert.ok(handlersSeen.includes('/api/docs/*') && handlersSeen.includes('/api/opt'), String(handlersSeen))
    })
  }

  test('a catch-all at the mount root: /api/x/y/ is redirected like any other', async () => {
    assert.deepEqual(await redirect(servers.rootCatchAll, '/api/x/y/'), [308, '/api/x/y'])
    assert.equal(await (await fetch(`${servers.rootCatchAll.url()}/api/x/y/`)).text(), 'all x/y')
  })

  test('a rewrite that adds the slash to every URL gets no redirect back to the same URL (404, not a loop)', async () => {
    assert.deepEqual(await redirect(servers.slashEverywhere, '/api/items'), [404, null])
    assert.deepEqual(await redirect(servers.slashEverywhere, '/api/items?q=1'), [404, null])
  })

  test("a trailing slash only rewriteUrl made: redirected to the rewritten path (the client's had none)", async () => {
    assert.deepEqual(await redirect(servers.rewritten, '/latest'), [308, '/api/items'])
    assert.equal(await (await fetch(`${servers.rewritten.url()}/latest`)).text(), 'items')
  })
})

// Trial (fastify-raw-body registered globally): its preParsing hook reads the payload for
// `request.rawBody`, which set it flowing; the handler, reading later, got only what came after
// (a 64 KiB body as 242 bytes, answered 201), and past raw-body's limit it paused the payload
// and the handler waited for its body timeout. As raw-body reads, without the package.
describe('Fastify: an app preParsing hook that reads the payload too (fastify-raw-body)', () => {
  const limit = 1024 * 1024
  const server = withApp(async (app) => {
    app.addHook('preParsing', (request, _reply, payload, done) => {
      const chunks: Buffer[] = []
      let size = 0
      const onData = (chunk: Buffer) => {
        size += chunk.length
        if (size <= limit) return void chunks.push(chunk)
        // raw-body's halt past its limit: stop listening, unpipe, pause.
        payload.off('data', onData)
        payload.unpipe()
        payload.pause()
      }
      payload.on('data', onData)
      payload.on('end', () => ((request as unknown as { rawBody: Buffer }).rawBody = Buffer.concat(chunks)))
      done(null, payload)
    })
    await app.register(routeHandlersPlugin, { dir: APP_DIR, prefix: '/api', logger: quietLogger, bodyLimit: 8 * limit })
  })
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

  for (const size of [1000, 64 * 1024, 200 * 1024, 4 * limit]) {
    test(`${size} bytes reach the handler whole, read at once or as a stream`, async () => {
      const body = randomBytes(size)
      for (const path of ['/api/bodies/digest', '/api/bodies/stream-digest']) {
        const response = await fetch(`${server.url()}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
        assert.deepEqual(await response.json(), { size, sha256: sha256(body) }, path)
      }
    })
  }
})

describe("Fastify: a hook that changes the URL after routing runs no file's handler under the plugin's fallback (trial)", () => {
  const dir = tempRouteFolder({
    'admin/users/route.ts': "export const GET = () => new Response('admin get')\nexport const POST = () => new Response('admin post')\n",
    '[slug]/route.ts': "export const GET = () => new Response('slug')\n",
  })
  const server = withApp(async (app) => {
    // A guard keyed on the route, and a hook "normalizing" the URL the way Fastify's rewriteUrl should.
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/api/admin') && request.headers['x-admin'] !== 'yes') return reply.code(401).send('unauthorized')
    })
    app.addHook('onRequest', async (request) => {
      request.raw.url = decodeURIComponent(request.raw.url!)
    })
    await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
  })
  const post = (target: string, headers = '') =>
    rawRequest(Number(new URL(server.url()).port), `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`)

  test("POST /api/admin%2Fusers (the fallback's: [slug] has no POST) is not found once the hook makes it /api/admin/users", async () => {
    assert.match(await post('/api/admin%2Fusers'), /^HTTP\/1\.1 404 /)
    assert.match(await post('/api/admin/users'), /^HTTP\/1\.1 401 /)
    const allowed = await post('/api/admin/users', 'x-admin: yes\r\n')
    assert.match(allowed, /^HTTP\/1\.1 200 /)
    assert.match(allowed, /admin post$/)
  })

  test('what the fallback is for still answers: 405 for a method the file lacks, 308 for /x/', async () => {
    assert.match(await post('/api/thing'), /^HTTP\/1\.1 405 /)
    assert.match(await post('/api/admin/users/', 'x-admin: yes\r\n'), /^HTTP\/1\.1 308 /)
  })
})

describe('Fastify: a prefix with a parameter is refused at register(), naming the folder param that does it (trial)', () => {
  const dir = tempRouteFolder({ 'info/route.ts': "export const GET = () => new Response('info')\n" })
  for (const [name, register] of [
    ['the plugin\'s own prefix', (app: FastifyInstance) => app.register(routeHandlersPlugin, { dir, prefix: '/t/:tenant/api', logger: quietLogger })],
    ['a scope\'s prefix', (app: FastifyInstance) => app.register(async (scope) => void (await scope.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })), { prefix: '/t/:tenant' })],
    ['a wildcard', (app: FastifyInstance) => app.register(routeHandlersPlugin, { dir, prefix: '/t/*', logger: quietLogger })],
    ['a parameter inside a segment (review)', (app: FastifyInstance) => app.register(routeHandlersPlugin, { dir, prefix: '/v-:version', logger: quietLogger })],
  ] as const) {
    test(name, async () => {
      const app = Fastify()
      try {
        await assert.rejects(
          async () => {
            await register(app)
            await app.ready()
          },
          (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_HOST_PREFIX_INVALID' && /a folder \[tenant\]\/api/.test(error.message),
        )
      } finally {
        await app.close().catch(() => {})
      }
    })
  }

  test('a prefix clients spell in more than one way is refused (review: /{x} and /100% answered 404)', async () => {
    for (const prefix of ['/{x}', '/100%', '/a%20b', '/x/../y', '/a\\b']) {
      const app = Fastify()
      try {
        await assert.rejects(
          async () => {
            await app.register(routeHandlersPlugin, { dir, prefix, logger: quietLogger })
            await app.ready()
          },
          (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_HOST_PREFIX_INVALID' && /spell in more than one way/.test(error.message),
          prefix,
        )
      } finally {
        await app.close().catch(() => {})
      }
    }
  })

  test('an escaped colon (::) is a fixed path, and so is a name clients percent-encode (review: /café answered 404)', async () => {
    for (const [prefix, url] of [['/a::b', '/a:b/info'], ['/café', '/caf%C3%A9/info'], ['/a b', '/a%20b/info']] as const) {
      const app = Fastify()
      try {
        await app.register(routeHandlersPlugin, { dir, prefix, logger: quietLogger })
        const response = await app.inject({ url })
        assert.equal(response.body, 'info', prefix)
      } finally {
        await app.close()
      }
    }
  })
})
