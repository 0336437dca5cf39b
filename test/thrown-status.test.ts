/**
 * A handler that throws answers 500 through the host's error handling, as Next.js answers any
 * uncaught handler error, even when the error carries an HTTP answer of its own (an upstream
 * client's error rethrown: `status: 404`, `headers`); the app's error handler still sees the
 * original error's class and fields.
 */
import express, { type ErrorRequestHandler } from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  // As an HTTP client library's error: its own class, the upstream's status, headers, a response.
  'upstream/route.ts': [
    'class UpstreamError extends Error {',
    "  name = 'UpstreamError'",
    '  status = 404',
    "  headers = { 'x-upstream-secret': 'internal-10.0.0.5' }",
    "  response = { status: 404, data: 'not found upstream' }",
    '}',
    "export function GET() { throw new UpstreamError('GET http://internal-billing:8080/invoices failed') }",
    "export async function POST() { throw Object.assign(new Error('upstream said no'), { statusCode: 401 }) }",
    "export async function PUT() { throw Object.assign(new Error('a string status'), { status: '404' }) }",
    '',
  ].join('\n'),
  'items/[id]/route.ts': 'export const GET = () => new Response("item")\n',
  // This package's own client errors keep their status.
  'echo/route.ts': 'export async function POST(request: Request) { return Response.json(await request.json()) }\n',
  // A handler that catches the body's error and answers with it, as lobe-chat's error responses do.
  'caught/route.ts': [
    'export async function POST(request: Request) {',
    '  try {',
    '    return Response.json(await request.json())',
    '  } catch (error) {',
    '    const { ...fields } = error as Error',
    '    return Response.json({ json: JSON.stringify(error), fields, isSyntaxError: error instanceof SyntaxError, code: (error as { code?: string }).code, status: (error as { status?: number }).status })',
    '  }',
    '}',
    '',
  ].join('\n'),
})

interface Seen {
  name?: string
  message?: string
  upstreamStatus?: number
  stackNamesTheHandler?: boolean
}

function expressWith(handler: boolean, seen: Seen): () => Promise<SocketTarget> {
  return async () => {
    const app = express()
    app.use(await routeHandlers({ dir, logger: quietLogger }).ready())
    if (handler) {
      const onError: ErrorRequestHandler = (error, _req, res, _next) => {
        Object.assign(seen, { name: error.name, message: error.message, upstreamStatus: error.response?.status, stackNamesTheHandler: /upstream\/route\.ts/.test(error.stack ?? '') })
        res.status(error.status ?? 500).send('handled')
      }
      app.use(onError)
    }
    return listen(app)
  }
}

function fastifyWith(handler: boolean, seen: Seen): () => Promise<SocketTarget> {
  return async () => {
    const app = Fastify()
    if (handler) {
      app.setErrorHandler((error: Error & { statusCode?: number; response?: { status: number } }, _request, reply) => {
        Object.assign(seen, { name: error.name, message: error.message, upstreamStatus: error.response?.status, stackNamesTheHandler: /upstream\/route\.ts/.test(error.stack ?? '') })
        void reply.code(error.statusCode ?? 500).send('handled')
      })
    }
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
    return fastifyListening(app)
  }
}

for (const [name, start] of [
  ['Express, its default error handler', expressWith(false, {})],
  ['Fastify, its default error handler', fastifyWith(false, {})],
] as const) {
  describe(name, () => {
    let target: SocketTarget
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    test("an error carrying status 404 and headers answers 500, without the error's headers", async () => {
      const response = await target.send('/upstream')
      assert.equal(response.status, 500)
      assert.equal(response.headers.get('x-upstream-secret'), null)
      await response.text()
    })

    test('an error carrying statusCode 401, or status "404" (a string, which Fastify reads too), answers 500', async () => {
      for (const method of ['POST', 'PUT']) {
        const response = await target.send('/upstream', { method })
        assert.equal(response.status, 500, method)
        await response.text()
      }
    })

    test("this package's own client errors keep their status (a malformed JSON body: 400)", async () => {
      const response = await target.send('/echo', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })
      assert.equal(response.status, 400)
      await response.text()
    })

    test("caught in the handler, a malformed body's error is undici's to see (a SyntaxError, no enumerable fields) and keeps its code and status to read", async () => {
      const response = await target.send('/caught', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })
      assert.deepEqual(await response.json(), { json: '{}', fields: {}, isSyntaxError: true, code: 'RH_ERR_BODY_MALFORMED_JSON', status: 400 })
    })
  })
}

for (const [name, make] of [
  ['Express, an app error handler', expressWith],
  ['Fastify, an app error handler', fastifyWith],
] as const) {
  describe(name, () => {
    const seen: Seen = {}
    let target: SocketTarget
    before(async () => {
      target = await make(true, seen)()
    })
    after(() => target.close())

    test("sees the original error's class, message and fields, with status 500", async () => {
      const response = await target.send('/upstream')
      assert.equal(response.status, 500)
      assert.equal(await response.text(), 'handled')
      assert.deepEqual(seen, { name: 'UpstreamError', message: 'GET http://internal-billing:8080/invoices failed', upstreamStatus: 404, stackNamesTheHandler: true })
    })

    // Trial: these 400s went out with an empty body, past the app's JSON error handler, where every
    // other client error (bad JSON, 413) reached it.
    test('a path no handler may take (a param of "../secret") reaches it: 400, its answer', async () => {
      const response = await target.send('/items/..%2Fsecret')
      assert.equal(response.status, 400)
      assert.equal(await response.text(), 'handled')
      assert.equal(seen.name, 'RouteHandlersError')
    })
  })
}
