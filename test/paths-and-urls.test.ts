/**
 * Issue 10's path and URL holes, pinned on every host: encoded aliases of static segments never
 * reach a route file (items 1), falsy throws never reach Express's `next()` as "no error" (3),
 * hostile targets and hosts never make `request.url` unparsable (4), and long params answer 414
 * on every host alike (13).
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers, isRouteHandlersError } from '../lib/index.ts'
import { rawRequest } from './helpers/http.ts'
import { EVERY_HOST, expressTarget, fastifyListening, fastifyTarget, handleTarget, listen, quietLogger, standaloneTarget, type SocketTarget, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const text = (body: string) => `export const GET = () => new Response(${JSON.stringify(body)})\nexport const POST = GET\n`

/** What each falsy `?v=` makes the handler throw. */
const FALSY_THROWS = ['null', 'undefined', '0', "''", "'route'", "'router'", 'false', 'NaN']

const DIR = tempRouteFolder({
  'admin/secret/route.ts': text('secret'),
  'api/health/route.ts': text('healthy'),
  'café/route.ts': text('café'),
  'a|b/route.ts': text('pipe'),
  'items/[slug]/route.ts': 'export const GET = (_request: Request, { params }: { params: { slug: string } }) => new Response(String(params.slug.length))\n',
  'files/[...path]/route.ts': "export const GET = (_request: Request, { params }: { params: { path: string[] } }) => new Response(params.path.join('|'))\n",
  'throws/route.ts': [
    'export function GET(request: Request) {',
    "  const value = new URL(request.url).searchParams.get('v')",
    '  // eslint-disable-next-line no-throw-literal',
    `  throw ({ ${FALSY_THROWS.map((v) => `${JSON.stringify(v)}: ${v}`).join(', ')} } as Record<string, unknown>)[value!]`,
    '}',
    '',
  ].join('\n'),
  // Next recognises its control-flow errors by `digest`, on any object (isHTTPAccessFallbackError).
  'digest/route.ts': "export function GET() {\n  throw { digest: 'NEXT_HTTP_ERROR_FALLBACK;404' }\n}\n",
  'url/route.ts': [
    "import { NextRequest } from 'next/server'",
    'export const GET = (request: NextRequest) =>',
    '  Response.json({ url: request.url, pathname: request.nextUrl.pathname, search: request.nextUrl.search })',
    '',
  ].join('\n'),
})

const HOSTS: Array<[string, () => Promise<Target>]> = [
  ['the core', () => handleTarget('', DIR)],
  ['the standalone server', () => standaloneTarget('', DIR)],
  ['Express', () => expressTarget('', DIR)],
  ['Fastify', () => fastifyTarget('', DIR)],
]

for (const [name, start] of HOSTS) {
  describe(`${name}: encoded aliases of static segments are other paths (issue 10 #1)`, () => {
    let target: Target
    before(async () => (target = await start()))
    after(() => target.close())

    test('POST /api/%68ealth is 404, as Next.js answers it (not 405, not the route)', async () => {
      assert.equal((await target.send('/api/%68ealth', { method: 'POST' })).status, 404)
      assert.equal((await target.send('/api/%68ealth')).status, 404)
      assert.equal(await (await target.send('/api/health')).text(), 'healthy')
    })

    test('a folder answers one spelling: non-ASCII encoded as clients send it, printable ASCII as it is', async () => {
      assert.equal(await (await target.send('/caf%C3%A9')).text(), 'café')
      assert.equal(await (await target.send('/a|b')).text(), 'pipe')
      assert.equal((await target.send('/a%7Cb')).status, 404)
      assert.equal((await target.send('/caf%c3%a9')).status, 404)
      assert.equal((await target.send('/%63af%C3%A9')).status, 404)
    })

    test('params are still decoded', async () => {
      assert.equal(await (await target.send('/items/%61%62')).text(), '2')
      assert.equal(await (await target.send('/files/a%2Fb/c')).text(), 'a/b|c')
    })

    test('a [param] over 100 characters is 414 on every host, 100 is served (issue 10 #13)', async () => {
      assert.equal(await (await target.send(`/items/${'a'.repeat(100)}`)).text(), '100')
      assert.equal((await target.send(`/items/${'a'.repeat(101)}`)).status, 414)
      // Measured decoded, as Fastify measures its own params: 102 encoded characters are 34.
      assert.equal(await (await target.send(`/items/${'%61'.repeat(34)}`)).text(), '34')
      assert.equal(await (await target.send(`/files/${'a'.repeat(300)}`)).text(), 'a'.repeat(300))
    })
  })
}

// Adversarial probing: find-my-way passes over a param longer than its maxParamLength to a wildcard
// of the same level, and Fastify ran `[...slug]` (200) where the other hosts answer 414.
describe('a [param] over maxParamLength beside a catch-all is 414, not the catch-all, on every host', () => {
  const dir = tempRouteFolder({ 'users/[id]/route.ts': text('users/[id]'), '[...slug]/route.ts': text('[...slug]') })
  for (const [name, start] of EVERY_HOST) {
    test(name, async () => {
      const target = await start('/api', dir, {})
      try {
        assert.equal(await (await target.send(`/users/${'a'.repeat(100)}`)).text(), 'users/[id]')
        assert.equal((await target.send(`/users/${'a'.repeat(101)}`)).status, 414)
        assert.equal(await (await target.send(`/other/${'a'.repeat(300)}`)).text(), '[...slug]')
      } finally {
        await target.close()
      }
    })
  }
})

describe('maxParamLength is an option, and the Fastify plugin takes the instance’s own', () => {
  test('createRouteHandlers({ maxParamLength: 200 }) serves 150 characters', async () => {
    const routes = await createRouteHandlers({ dir: DIR, maxParamLength: 200, logger: quietLogger }).ready()
    const response = await routes.handle(new Request(`http://localhost/items/${'a'.repeat(150)}`))
    assert.equal(await response?.text(), '150')
  })

  test('createRouteHandlers({ maxParamLength: 0 }) is refused', () => {
    assert.throws(() => createRouteHandlers({ dir: DIR, maxParamLength: 0 }), { code: 'RH_ERR_OPTIONS_INVALID' })
  })

  // With routerOptions given, Fastify reports its defaults there, over a top-level maxParamLength it uses.
  for (const options of [{ maxParamLength: 200 }, { routerOptions: { maxParamLength: 200 } }, { maxParamLength: 200, routerOptions: { caseSensitive: true } }]) {
    test(`Fastify(${JSON.stringify(options)}) serves 150 characters`, async () => {
      const app = Fastify(options)
      await app.register(routeHandlersPlugin, { dir: DIR, logger: quietLogger })
      const response = await app.inject(`/items/${'a'.repeat(150)}`)
      assert.equal(response.body, '150')
      await app.close()
    })
  }
})

describe('Express: auth middleware on a prefix guards every spelling of it (issue 10 #1)', () => {
  const requireAuth: RequestHandler = (req, res, next) => {
    if (req.headers.authorization === 'Bearer ok') return next()
    res.status(401).send('login first')
  }
  // Every way a client might spell /admin/secret to slip past `app.use('/admin', requireAuth)`.
  const SPELLINGS = [
    '/%61dmin/secret', '/%41dmin/secret', '/adm%69n/secret', '/%61%64%6d%69%6e/secret', '/%61DMIN/secret',
    '/ADMIN/secret', '/Admin/secret', '/admin%2Fsecret', '/admin%2fsecret', '/%2e/admin/secret', '/%2E%2E/admin/secret',
    '/x/%2e%2e/admin/secret', '/x/../admin/secret', '/./admin/secret', '//admin/secret', '/admin%20/secret',
    '/%2561dmin/secret', '/admin%00/secret', '/admin;/secret', '/admin/%73ecret', '/admin/secret%2F', '/admin/secret/',
    '/%5Cadmin/secret', '/admin%5Csecret', 'http://evil.example/admin/secret', '/admin/./secret', '/admin//secret',
  ]

  for (const mount of ['', '/api']) {
    describe(mount ? `mounted at ${mount}` : 'mounted at the root', () => {
      let target: SocketTarget
      before(async () => {
        const app = express()
        app.use(`${mount}/admin`, requireAuth)
        app.use(mount || '/', await routeHandlers({ dir: DIR, logger: quietLogger }).ready())
        target = await listen(app)
      })
      after(() => target.close())

      const get = (path: string, headers = '') =>
        rawRequest(target.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`)

      test('the route answers with auth, and not without', async () => {
        assert.match(await get(`${mount}/admin/secret`, 'Authorization: Bearer ok\r\n'), /^HTTP\/1\.1 200[^]*\r\n\r\nsecret$/)
        assert.match(await get(`${mount}/admin/secret`), /^HTTP\/1\.1 401 /)
      })

      for (const spelling of SPELLINGS) {
        const path = spelling.startsWith('http') ? spelling.replace('/admin', `${mount}/admin`) : `${mount}${spelling}`
        test(`${path} never reaches the route file unauthenticated`, async () => {
          const answer = await get(path)
          assert.match(answer, /^HTTP\/1\.1 (401|404|400|308) /, answer.slice(0, 200))
          assert.doesNotMatch(answer, /\r\n\r\nsecret$/)
          // Redirected (Next's 308 for repeated slashes) only to the spelling the middleware guards.
          if (answer.startsWith('HTTP/1.1 308 ')) assert.match(answer, new RegExp(`\r\nlocation: ${mount}/admin/secret\r\n`, 'i'))
        })
      }
    })
  }
})

describe('Fastify: an absolute-form target of another scheme never reaches a route Fastify did not route to (issue 10 #1, #4)', () => {
  // A root catch-all is the Fastify route (`/*`) such a target lands on when find-my-way keeps it whole.
  const dir = tempRouteFolder({ 'admin/secret/route.ts': text('secret'), '[...all]/route.ts': text('catch-all') })
  let target: SocketTarget
  before(async () => {
    const app = Fastify()
    // Auth by the Fastify route's URL, as onRoute/routeOptions-based guards do.
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/admin')) return reply.code(401).send('login first')
    })
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
    target = await fastifyListening(app)
  })
  after(() => target.close())

  for (const requestTarget of ['/admin/secret', 'http://e/admin/secret', 'HTTP://e/admin/secret', 'ws://e/admin/secret', 'foo://e/admin/secret', 'http:///admin/secret']) {
    test(`${requestTarget} is never served by admin/secret/route.ts without auth`, async () => {
      const answer = await rawRequest(target.port, `GET ${requestTarget} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      assert.match(answer, /^HTTP\/1\.1 (400|401|404) /, answer.slice(0, 200))
      assert.doesNotMatch(answer, /\r\n\r\nsecret$/)
    })
  }
})

describe('a handler that throws something that is not an Error (issue 10 #3)', () => {
  describe('Express: the legacy route after the middleware never answers', () => {
    let target: SocketTarget
    const seen: unknown[] = []
    before(async () => {
      const app = express()
      app.use(await routeHandlers({ dir: DIR, logger: quietLogger }).ready())
      app.get('/throws', (_req, res) => void res.send('legacy'))
      const onError: ErrorRequestHandler = (error: { code?: string; cause?: unknown }, _req, res, _next) => {
        seen.push(error.code, error.cause)
        res.status(500).send('Internal Server Error')
      }
      app.use(onError)
      target = await listen(app)
    })
    after(() => target.close())

    for (const [index, value] of FALSY_THROWS.entries()) {
      test(`throw ${value} → 500 through the app's error handler, RH_ERR_HANDLER_THREW with the value as cause`, async () => {
        const response = await target.send(`/throws?v=${encodeURIComponent(value)}`)
        assert.equal(response.status, 500)
        assert.equal(await response.text(), 'Internal Server Error')
        assert.equal(seen[index * 2], 'RH_ERR_HANDLER_THREW')
        assert.ok(Object.is(seen[index * 2 + 1], eval(value)))
      })
    }
  })

  test('Fastify: 500 through its error handler, with the code', async () => {
    const app = Fastify()
    const seen: string[] = []
    app.setErrorHandler((error: { code?: string }, _request, reply) => {
      seen.push(error.code ?? 'none')
      return reply.code(500).send('Internal Server Error')
    })
    await app.register(routeHandlersPlugin, { dir: DIR, logger: quietLogger })
    for (const value of FALSY_THROWS) {
      assert.equal((await app.inject(`/throws?v=${encodeURIComponent(value)}`)).statusCode, 500)
    }
    assert.deepEqual(seen, FALSY_THROWS.map(() => 'RH_ERR_HANDLER_THREW'))
    await app.close()
  })

  test("a plain object with Next's control-flow digest is still control flow: 404, not wrapped", async () => {
    const routes = await createRouteHandlers({ dir: DIR, logger: quietLogger }).ready()
    assert.equal((await routes.handle(new Request('http://localhost/digest')))?.status, 404)
  })

  test('the core: handle() rejects with an Error whose cause is the value', async () => {
    const routes = await createRouteHandlers({ dir: DIR, logger: quietLogger }).ready()
    await assert.rejects(routes.handle(new Request('http://localhost/throws?v=null')), (error: unknown) => {
      assert.ok(error instanceof Error && isRouteHandlersError(error))
      assert.equal(error.code, 'RH_ERR_HANDLER_THREW')
      assert.equal(error.status, 500)
      assert.equal(error.cause, null)
      assert.match(error.message, /GET handler in "throws\/route\.ts" threw null/)
      return true
    })
    // Trial: `throw 'nope'` was reported as "threw a string", the value only in the cause.
    await assert.rejects(routes.handle(new Request("http://localhost/throws?v='route'")), /threw a string \("route"\), which is not an Error/)
  })
})

const SOCKET_HOSTS: Array<[string, () => Promise<SocketTarget>]> = [
  ['the standalone server', () => standaloneTarget('', DIR)],
  ['Express', () => expressTarget('', DIR)],
  ['Fastify', () => fastifyTarget('', DIR)],
]

for (const [name, start] of SOCKET_HOSTS) {
  describe(`${name}: hostile request targets and hosts (issue 10 #4)`, () => {
    let target: SocketTarget
    before(async () => (target = await start()))
    after(() => target.close())

    const raw = (requestTarget: string, host: string) =>
      rawRequest(target.port, `GET ${requestTarget} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)

    test("an absolute-form target: the path is the target's, the origin the Host header's", async () => {
      const answer = await raw('http://evil.example/url?a=1', `127.0.0.1:${target.port}`)
      assert.match(answer, /^HTTP\/1\.1 200 /)
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, string>
      assert.deepEqual(body, { url: `http://127.0.0.1:${target.port}/url?a=1`, pathname: '/url', search: '?a=1' })
    })

    for (const host of ['a:99999', '[1]', 'a.1', '1.2.3.4.5', '[::1', 'a b', 'a/b', 'a@b']) {
      test(`Host: ${host} is a 400, never a 500 from an unparsable request.url`, async () => {
        const answer = await raw('/url', host)
        assert.match(answer, /^HTTP\/1\.1 400 /, answer.slice(0, 200))
      })
    }

    test('a valid Host with a port still serves', async () => {
      assert.match(await raw('/url', 'example.com:8080'), /^HTTP\/1\.1 200 [^]*"url":"http:\/\/example\.com:8080\/url"/)
    })
  })
}
