import compression from 'compression'
import pino from 'pino'
import cookieParser from 'cookie-parser'
import express, { type ErrorRequestHandler } from 'express'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { createGunzip } from 'node:zlib'
import { format } from 'node:util'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { entry } from './fixtures/app/next-apis/_after/log.ts'
import { runBehaviour } from './helpers/behaviour.ts'
import { rawRequest } from './helpers/http.ts'
import { RawConnection } from './helpers/raw-connection.ts'
import { APP_DIR, appErrorHandler, expressTarget, listen, quietLogger, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

runBehaviour('Express at the root', () => expressTarget(''))
runBehaviour('Express under /api', () => expressTarget('/api'))

/** Starts an app built by `build` for the tests of one describe block. */
function withApp(build: () => express.Express | Promise<express.Express>): { target: () => Target & { port: number } } {
  let target: Target & { port: number }
  before(async () => {
    target = await listen(await build())
  })
  after(() => target.close())
  return { target: () => target }
}

describe('Express: mounting', () => {
  const app = withApp(async () => {
    const server = express()
    const router = express.Router()
    router.use('/v2', await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    server.use('/api', router)
    server.get('/api/v2/legacy', (_req, res) => void res.send('legacy route after the middleware'))
    return server
  })

  test('inside a Router mounted under a prefix: basePath is the whole mount path', async () => {
    const response = await app.target().send('/api/v2/search?query=q&x=%2F')
    const body = (await response.json()) as Record<string, string>
    assert.equal(body.basePath, '/api/v2')
    assert.equal(body.pathname, '/search')
    assert.match(body.url!, /^http:\/\/127\.0\.0\.1:\d+\/api\/v2\/search\?query=q&x=%2F$/)
  })

  test('a path no route file matches falls through to later routes', async () => {
    const response = await app.target().send('/api/v2/legacy')
    assert.equal(await response.text(), 'legacy route after the middleware')
  })
})

describe('Express: a path the app rewrote to one with repeated slashes', () => {
  test('is not redirected to the client\'s own clean target (a loop); not this folder\'s to answer', async () => {
    const app = express()
    app.use((req, _res, next) => {
      if (req.url === '/t/acme/abc') req.url = '/items//abc'
      next()
    })
    app.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    app.use((_req, res) => void res.status(404).send('app not found'))
    const target = await listen(app)
    try {
      const response = await target.send('/t/acme/abc')
      assert.deepEqual([response.status, await response.text()], [404, 'app not found'])
    } finally {
      await target.close()
    }
  })
})

describe('Express: onMissingMethod', () => {
  const app = withApp(async () => {
    const server = express()
    server.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger, onMissingMethod: 'fall-through' }).ready())
    server.post('/dispatch/only-get', (_req, res) => void res.send('legacy POST'))
    server.options('/dispatch/only-get', (_req, res) => void res.set('allow', 'GET, HEAD, POST').status(204).end())
    return server
  })

  test("'fall-through': an OPTIONS the file does not export is the app's too (the file's Allow would leave out the app's methods)", async () => {
    const response = await app.target().send('/dispatch/only-get', { method: 'OPTIONS' })
    assert.deepEqual([response.status, response.headers.get('allow')], [204, 'GET, HEAD, POST'])
  })

  test("'fall-through' lets a legacy handler answer the methods the route file lacks", async () => {
    assert.equal(await (await app.target().send('/dispatch/only-get', { method: 'POST' })).text(), 'legacy POST')
    assert.equal(await (await app.target().send('/dispatch/only-get')).text(), 'body of GET')
  })

  test('without a legacy handler Express answers 404', async () => {
    assert.equal((await app.target().send('/dispatch/only-get', { method: 'PUT' })).status, 404)
  })
})

describe('Express: errors reach the app', () => {
  const seen: unknown[] = []
  const app = withApp(async () => {
    const server = express()
    server.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    const recorder: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error)
      res.status(599).send('custom error page')
    }
    server.use(recorder)
    return server
  })

  test("a handler's exception goes to next(err) unchanged", async () => {
    const response = await app.target().send('/dispatch/throws')
    assert.equal(response.status, 599)
    assert.equal(await response.text(), 'custom error page')
    assert.equal((seen.at(-1) as Error).message, 'secret detail from the handler')
  })

  test('a non-Response result goes to next(err) with its code', async () => {
    await app.target().send('/dispatch/returns-nothing')
    assert.equal((seen.at(-1) as { code?: string }).code, 'RH_ERR_HANDLER_RESULT')
  })
})

describe('Express: trust proxy decides scheme and host', () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' }
  for (const trusted of [false, true]) {
    describe(`trust proxy ${trusted}`, () => {
      const app = withApp(async () => {
        const server = express()
        server.set('trust proxy', trusted)
        server.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
        return server
      })
      test('request.url', async () => {
        const body = (await (await app.target().send('/search?query=1', { headers: forwarded })).json()) as { url: string }
        if (trusted) assert.equal(body.url, 'https://public.example/search?query=1')
        else assert.match(body.url, /^http:\/\/127\.0\.0\.1:\d+\/search\?query=1$/)
      })
    })
  }
})

describe('Express: hostile input and coexistence', () => {
  const app = withApp(async () => {
    const server = express()
    server.use(cookieParser())
    server.use(compression({ threshold: 0, filter: () => true }))
    server.use((_req, res, next) => {
      res.cookie('early', 'from-middleware')
      next()
    })
    server.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    server.use(appErrorHandler)
    return server
  })
  test('a hostile Host header → 400 through the error handler', async () => {
    const { port } = app.target()
    const answer = await rawRequest(port, 'GET /items HTTP/1.1\r\nHost: evil.example/x\r\nConnection: close\r\n\r\n')
    assert.match(answer, /^HTTP\/1\.1 400 /)
    // Trial: behind a trusted proxy the host comes from X-Forwarded-Host, which the message named not.
    assert.match(answer, /The request's host "evil\.example\/x" \(its Host header, or X-Forwarded-Host behind a trusted proxy\)/)
  })

  test('cookies from the handler and one from earlier middleware all arrive', async () => {
    const response = await app.target().send('/dispatch/cookie-merge')
    const cookies = response.headers.getSetCookie()
    assert.equal(cookies.length, 5)
    assert.ok(cookies.includes('early=from-middleware; Path=/'))
    assert.ok(cookies.includes('a=from-response; Path=/'))
    assert.ok(cookies.includes('b=two%20words; Path=/'))
    assert.ok(cookies.includes('c=3; Path=/c; HttpOnly'))
  })

  test('a known-length body is sent with Content-Length', async () => {
    const { port } = app.target()
    const answer = await rawRequest(port, 'GET /rss.xml HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    assert.match(answer, /\r\ncontent-length: \d+\r\n/i)
    assert.doesNotMatch(answer, /transfer-encoding: chunked/i)
    assert.match(answer, /\r\ncontent-type: text\/xml\r\n/i)
  })
})

/**
 * What a streaming route and the test share, per request id: the route produces each piece only
 * once the client has received the one before (or gives up after a while, so a buffering response
 * fails the test instead of hanging it), and both write down what happened, in order.
 */
interface StreamGate {
  events: string[]
  received: (piece: string) => void
  waitFor: (piece: string) => Promise<void>
}
const streamGates = ((globalThis as { __streamGates?: Map<string, StreamGate> }).__streamGates ??= new Map<string, StreamGate>())

function streamGate(id: string): StreamGate {
  const arrivals = new Map<string, () => void>()
  const arrived = new Map<string, Promise<void>>()
  const promiseFor = (piece: string): Promise<void> => {
    if (!arrived.has(piece)) arrived.set(piece, new Promise<void>((resolve) => arrivals.set(piece, resolve)))
    return arrived.get(piece)!
  }
  const gate: StreamGate = {
    events: [],
    received: (piece) => {
      gate.events.push(`client got ${piece}`)
      void promiseFor(piece)
      arrivals.get(piece)!()
    },
    waitFor: async (piece) => {
      let timer: NodeJS.Timeout | undefined
      const giveUp = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          gate.events.push(`server gave up waiting for ${piece}`)
          resolve()
        }, 10_000)
      })
      await Promise.race([promiseFor(piece), giveUp])
      clearTimeout(timer)
    },
  }
  streamGates.set(id, gate)
  return gate
}

// Each 64 KiB chunk fills zlib's 16 KiB buffer: every write but none of the first waits for a drain.
const EXPORT_CHUNKS = 40
const EXPORT_ROUTE = `
export function GET() {
  let sent = 0
  return new Response(new ReadableStream({
    pull(controller) {
      if (sent++ === ${EXPORT_CHUNKS}) return controller.close()
      controller.enqueue(new Uint8Array(64 * 1024).fill(sent))
    },
  }))
}
`

const GATED_STREAM_ROUTE = `
const encoder = new TextEncoder()
export function GET(request) {
  const gate = globalThis.__streamGates.get(new URL(request.url).searchParams.get('id'))
  const pieces = ['One', 'Two', 'Three']
  let index = 0
  return new Response(new ReadableStream({
    async pull(controller) {
      if (index > 0) await gate.waitFor(pieces[index - 1])
      if (index === pieces.length) return controller.close()
      gate.events.push('server sent ' + pieces[index])
      controller.enqueue(encoder.encode('<p>' + pieces[index++] + '</p>'))
    },
  }))
}
`

describe('Express: compression and streams', () => {
  const app = withApp(async () => {
    const server = express()
    server.use(compression({ threshold: 0, filter: () => true }))
    server.use(await routeHandlers({ dir: tempRouteFolder({ 'stream/route.mjs': GATED_STREAM_ROUTE, 'export/route.mjs': EXPORT_ROUTE }), logger: quietLogger }).ready())
    return server
  })

  // compression hands res.on('drain') to its zlib stream but not res.off(): a listener per write
  // that waited was left there (a trial's CSV export: hundreds, and Node's warning past ten).
  test('a long stream through compression leaves no drain listener per write behind', async () => {
    const { port } = app.target()
    const warnings: Error[] = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const size = await new Promise<number>((resolve, reject) => {
        httpRequest({ port, host: '127.0.0.1', path: '/export', headers: { 'accept-encoding': 'gzip' } }, (response) => {
          assert.equal(response.headers['content-encoding'], 'gzip')
          let bytes = 0
          response
            .pipe(createGunzip())
            .on('data', (chunk: Buffer) => (bytes += chunk.byteLength))
            .on('end', () => resolve(bytes))
            .on('error', reject)
        })
          .on('error', reject)
          .end()
      })
      assert.equal(size, EXPORT_CHUNKS * 64 * 1024)
      // Node emits the warning on a later tick.
      await new Promise((resolve) => setImmediate(resolve))
      assert.deepEqual(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map(String), [])
    } finally {
      process.off('warning', onWarning)
    }
  })

  // Was timed (arrival times 20 ms apart) and failed one CI run in four; now each piece is produced
  // only after the client has decompressed the one before, so buffering shows as an order.
  test('with compression, a streamed response arrives chunk by chunk (issue 11: no timing)', async () => {
    const { port } = app.target()
    const id = randomUUID()
    const gate = streamGate(id)
    const text = await new Promise<string>((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', path: `/stream?id=${id}`, headers: { 'accept-encoding': 'gzip' } }, (response) => {
        assert.equal(response.headers['content-encoding'], 'gzip')
        let decoded = ''
        const pending = ['One', 'Two', 'Three']
        response
          .pipe(createGunzip())
          .setEncoding('utf8')
          .on('data', (chunk: string) => {
            decoded += chunk
            while (pending.length > 0 && decoded.includes(`<p>${pending[0]}</p>`)) gate.received(pending.shift()!)
          })
          .on('end', () => resolve(decoded))
          .on('error', reject)
      })
        .on('error', reject)
        .end()
    })
    assert.equal(text, '<p>One</p><p>Two</p><p>Three</p>')
    assert.deepEqual(gate.events, [
      'server sent One',
      'client got One',
      'server sent Two',
      'client got Two',
      'server sent Three',
      'client got Three',
    ])
    streamGates.delete(id)
  })
})

describe('Express: shutdown', () => {
  test('the middleware\'s close() waits for pending after() work', async () => {
    const middleware = await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready()
    const server = express()
    server.use(middleware)
    const target = await listen(server)
    const id = randomUUID()
    const log = entry(id)
    assert.equal(await (await target.send(`/next-apis/after/slow?id=${id}`)).text(), 'sent')
    await target.close()
    const closing = middleware.close().then(() => log.events.push('closed'))
    await new Promise((resolve) => setImmediate(resolve))
    log.release()
    await closing
    assert.deepEqual(log.events, ['started', 'finished', 'closed'])
  })
})

describe('Express: trust proxy and the x-forwarded-* headers', () => {
  const forwarded = { 'x-forwarded-host': 'example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' }
  const trusting = withApp(async () => {
    const server = express()
    server.set('trust proxy', true)
    server.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    return server
  })
  const plain = withApp(async () => {
    const server = express()
    server.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    return server
  })
  const read = async (target: Target & { port: number }, headers: Record<string, string> = {}) =>
    (await (await target.send('/next-apis/forwarded', { headers })).json()) as Record<string, string>

  test('with trust proxy, request.url is what the proxy says; the headers stay as sent, the port is filled', async () => {
    const target = trusting.target()
    const body = await read(target, forwarded)
    assert.equal(body.url, 'https://example.com/next-apis/forwarded')
    assert.deepEqual([body.host, body.proto, body.for, body.port], ['example.com', 'https', '203.0.113.7', String(target.port)])
  })

  // Adversarial probing: the scheme was not checked, and a host seen once was not checked again.
  test('with trust proxy, an X-Forwarded-Proto other than http(s) is 400, even for a host seen before; HTTPS is https', async () => {
    const target = trusting.target()
    await read(target, forwarded)
    for (const proto of ['a b', 'http:', 'http://evil.example/?', 'javascript']) {
      const response = await target.send('/next-apis/forwarded', { headers: { ...forwarded, 'x-forwarded-proto': proto } })
      assert.equal(response.status, 400, proto)
      await response.text()
    }
    assert.equal((await read(target, { ...forwarded, 'x-forwarded-proto': 'HTTPS' })).url, 'https://example.com/next-apis/forwarded')
  })

  test('with trust proxy and nothing forwarded, they come from the connection', async () => {
    const target = trusting.target()
    const body = await read(target)
    assert.deepEqual([body.host, body.proto, body.for], [`127.0.0.1:${target.port}`, 'http', '127.0.0.1'])
  })

  test('without trust proxy, request.url ignores them, and the headers are still kept, as Next.js keeps them', async () => {
    const target = plain.target()
    const body = await read(target, forwarded)
    assert.equal(body.url, `http://127.0.0.1:${target.port}/next-apis/forwarded`)
    assert.deepEqual([body.host, body.proto, body.for], ['example.com', 'https', '203.0.113.7'])
  })

  // Trial: next-auth behind a proxy that terminates TLS, without trust proxy: the session cookie
  // was set under one name and looked for under another; nothing said why.
  const warnings: string[] = []
  const warned = withApp(async () => {
    const server = express()
    server.use(await routeHandlers({ dir: APP_DIR, logger: { ...quietLogger, warn: (message: string) => void warnings.push(message) } }).ready())
    return server
  })
  test('without trust proxy, the first request claiming https through a proxy warns once, naming the setting', async () => {
    const target = warned.target()
    await read(target)
    await read(target, { ...forwarded, 'x-forwarded-proto': 'http' })
    assert.deepEqual(warnings, [], 'nothing claimed https')
    await read(target, forwarded)
    await read(target, forwarded)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /X-Forwarded-Proto naming https.*app\.set\('trust proxy', 1\)/s)
  })
})

describe("Express's default final handler in production: a 500 body names no file and no path (issue 10 #14)", () => {
  let previous: string | undefined
  const dir = tempRouteFolder({
    'returns-nothing/route.ts': 'export const GET = () => undefined\n',
    'broken/route.ts': "import './missing.ts'\nexport const GET = () => new Response('never')\n",
    'throws/route.ts': "export const GET = () => {\n  throw new Error('secret detail from the handler')\n}\n",
  })
  // Express logs what reaches its final handler with console.error, just after the answer.
  let log: (line: string) => void = () => {}
  const nextLog = () => new Promise<string>((resolve) => (log = resolve))
  const consoleError = console.error
  before(() => {
    previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    console.error = (...args: unknown[]) => log(format(...args))
  })
  after(() => {
    console.error = consoleError
    if (previous === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previous
  })
  const app = withApp(() => {
    const server = express()
    server.use(routeHandlers({ dir, logger: quietLogger }))
    return server
  })

  test('our errors and the handler\'s own answer "Internal Server Error"; the logged stack keeps the full message', async () => {
    const cases = [
      ['/returns-nothing', /returns-nothing\/route\.ts/],
      ['/broken', /missing\.ts/],
      ['/throws', /secret detail from the handler/],
    ] as const
    for (const [path, detail] of cases) {
      const logged = nextLog()
      const response = await app.target().send(path)
      assert.equal(response.status, 500, path)
      const text = await response.text()
      assert.match(text, /<pre>Internal Server Error<\/pre>/)
      assert.doesNotMatch(text, detail)
      assert.ok(!text.includes(dir), text)
      assert.match(await logged, detail)
    }
  })
})

// Trial: connect-timeout answered 503 while a route file still ran; its late answer went to
// sendResponse (ERR_HTTP_HEADERS_SENT) and on to next(err), and Express's final handler destroyed
// the keep-alive connection under the client's next request (ECONNRESET).
describe('Express: an app that answers while a route file runs (a timeout middleware)', () => {
  const hooks = globalThis as { answerBeforeRoute?: () => Promise<void> }
  const dir = tempRouteFolder({
    'slow/route.ts': [
      'export async function GET() {',
      '  await (globalThis as { answerBeforeRoute?: () => Promise<void> }).answerBeforeRoute?.()',
      "  return Response.json({ late: true }, { headers: { 'x-late': 'yes' } })",
      '}',
      '',
    ].join('\n'),
  })
  const warnings: string[] = []
  const errors: unknown[] = []
  let app: Awaited<ReturnType<typeof listen>>
  before(async () => {
    const server = express()
    // What connect-timeout does when its timer fires: answer 503 itself, while the route runs on.
    server.use((_req, res, next) => {
      hooks.answerBeforeRoute = () => new Promise((resolve) => res.status(503).json({ error: 'Response timeout' }).once('finish', () => resolve()))
      next()
    })
    server.use(await routeHandlers({ dir, logger: { ...quietLogger, warn: (message: string) => void warnings.push(message) } }).ready())
    server.get('/native', (_req, res) => void res.json({ native: true }))
    const recorder: ErrorRequestHandler = (error, _req, res, next) => {
      errors.push(error)
      if (res.headersSent) return next(error)
      res.status(500).end()
    }
    server.use(recorder)
    app = await listen(server)
  })
  after(async () => {
    delete hooks.answerBeforeRoute
    await app.close()
  })

  test("the route's late answer is dropped with a warning, no error reaches the app, and the connection serves the next request", async () => {
    const connection = await RawConnection.open(app.port)
    try {
      connection.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n')
      const first = await connection.response()
      assert.equal(first.status, 503)
      assert.equal(first.headers['x-late'], undefined)
      connection.write('GET /native HTTP/1.1\r\nHost: localhost\r\n\r\n')
      const second = await connection.response()
      assert.equal(second.status, 200)
      assert.deepEqual(JSON.parse(second.body), { native: true })
      assert.deepEqual(errors, [])
      assert.equal(warnings.length, 1)
      assert.match(warnings[0]!, /GET \/slow answered after the app had sent a response of its own \(status 503/)
    } finally {
      connection.destroy()
    }
  })
})

// Trial: `logger: pino()` logged "an error occurred in a function passed to after()" with no error
// (pino reads a second argument as a format value), and never with pino-http's request id.
describe('Express: a pino logger as the logger option', () => {
  const lines: Array<Record<string, unknown>> = []
  let app: Awaited<ReturnType<typeof listen>>
  let middleware: Awaited<ReturnType<ReturnType<typeof routeHandlers>['ready']>>
  before(async () => {
    const log = pino({ base: null }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
    const server = express()
    // What pino-http does: a child logger with the request's id on `req.log`.
    server.use((req, _res, next) => {
      ;(req as { log?: unknown }).log = log.child({ reqId: req.headers['x-request-id'] })
      next()
    })
    middleware = await routeHandlers({ dir: APP_DIR, logger: log }).ready()
    server.use(middleware)
    app = await listen(server)
  })
  after(() => app.close())

  test("after() failures are logged with the error under err and the request's req.log bindings", async () => {
    const id = randomUUID()
    const response = await app.send(`/next-apis/after/fails?id=${id}`, { headers: { 'x-request-id': 'req-7' } })
    assert.equal(await response.text(), 'still fine')
    // close() waits for the after() work.
    await middleware.close()
    const failures = lines.filter((line) => String(line.msg).includes('passed to after()'))
    assert.equal(failures.length, 3)
    for (const line of failures) {
      assert.equal(line.reqId, 'req-7')
      assert.match(String((line.err as { message?: unknown } | undefined)?.message), /rejected promise|thrown in a callback|rejected in a callback/)
    }
  })

  test("a stream that fails mid-response is logged with the error under err and the request's req.log bindings", async () => {
    const response = await app.send('/dispatch/stream-fails', { headers: { 'x-request-id': 'req-8' } })
    await assert.rejects(response.text())
    const line = await new Promise<Record<string, unknown>>((resolve) => {
      const find = () => lines.find((entry) => String(entry.msg).includes('the response stream failed'))
      const poll = () => {
        const found = find()
        if (found) resolve(found)
        else setImmediate(poll)
      }
      poll()
    })
    assert.equal(line.reqId, 'req-8')
    assert.equal((line.err as { message?: unknown } | undefined)?.message, 'the data source broke')
  })
})
