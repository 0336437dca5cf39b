/**
 * Headers the host app set before the route file answered: a route file's own `Vary` adds to the
 * host's (cors middleware's `Vary: Origin`) rather than replacing it, on both hosts, for a fresh
 * answer and for one replayed from the cache; a response that cannot be sent leaves the host's
 * error answer the host's headers alone.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { rawRequest } from './helpers/http.ts'
import { fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  'negotiated/route.ts': "export function GET() { return new Response('one', { headers: { vary: 'Accept, origin' } }) }\n",
  'cached/route.ts': "export const revalidate = 60\nexport function GET() { return new Response('two', { headers: { vary: 'Accept' } }) }\n",
  'plain/route.ts': "export function GET() { return new Response('three') }\n",
  // What the handler sees of headers the app's middleware set, removed or that came twice.
  'who/route.ts': [
    "import { headers } from 'next/headers'",
    'export async function GET(request: Request) {',
    "  const seen = await headers()",
    "  return Response.json({ user: request.headers.get('x-user-id'), viaHeaders: seen.get('x-user-id'), removed: request.headers.get('x-remove'), cookie: request.headers.get('cookie'), level: request.headers.get('x-level'), assigned: request.headers.get('x-assigned'), bad: request.headers.get('x-bad') })",
    '}',
    '',
  ].join('\n'),
  // A body that fails before its first byte: the host answers with its error handling.
  'fails/route.ts':
    "export function GET() { return new Response(new ReadableStream({ pull(c) { c.error(new Error('gone')) } }), { headers: { vary: 'Accept', 'cache-control': 'public, max-age=60' } }) }\n",
})

const hosts: Array<[string, () => Promise<SocketTarget>]> = [
  [
    'Express',
    async () => {
      const app = express()
      app.use((req, res, next) => {
        res.setHeader('Vary', 'Origin')
        // An auth middleware passing on who the client is, and dropping what the client claimed.
        req.headers['x-user-id'] = 'u1'
        delete req.headers['x-remove']
        // A number (Next.js writes it as text), and a value no header can carry (left out).
        ;(req.headers as Record<string, unknown>)['x-level'] = 3
        req.headers['x-bad'] = 'line\nbreak'
        req.headers['x-assigned'] = 'yes'
        next()
      })
      app.use(await routeHandlers({ dir, logger: quietLogger }).ready())
      return listen(app)
    },
  ],
  [
    'Fastify',
    async () => {
      const app = Fastify()
      app.addHook('onRequest', async (request, reply) => {
        reply.header('vary', 'Origin')
        request.headers['x-user-id'] = 'u1'
        delete request.headers['x-remove']
        ;(request.headers as Record<string, unknown>)['x-level'] = 3
        request.headers['x-bad'] = 'line\nbreak'
        // Fastify's own way: an assignment adds to the headers (its additionalHeaders).
        request.headers = { 'x-assigned': 'yes' }
      })
      await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
      return fastifyListening(app)
    },
  ],
]

for (const [name, start] of hosts) {
  describe(`${name}: the host's Vary is kept`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    test("a route file's Vary is added to the host's, each field once", async () => {
      const response = await target.send('/negotiated')
      assert.equal(response.headers.get('vary'), 'Origin, Accept')
      assert.equal(await response.text(), 'one')
    })

    test('the same for a cached answer, MISS and HIT', async () => {
      for (const state of ['MISS', 'HIT']) {
        const response = await target.send('/cached')
        assert.equal(response.headers.get('x-nextjs-cache'), state)
        assert.equal(response.headers.get('vary'), 'Origin, Accept', state)
        await response.text()
      }
    })

    test("a response that cannot be sent leaves the host's error answer the host's Vary, and none of the route's Cache-Control", async () => {
      const response = await target.send('/fails')
      assert.equal(response.status, 500)
      assert.equal(response.headers.get('vary'), 'Origin')
      assert.equal(response.headers.get('cache-control'), null)
      await response.text()
    })

    test("the request headers as the app's middleware left them reach the handler (Next.js builds its request from them); two Cookie lines joined as Node joins them", async () => {
      const answer = await rawRequest(target.port, 'GET /who HTTP/1.1\r\nHost: localhost\r\nX-User-Id: forged\r\nX-Remove: yes\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n')
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>
      assert.deepEqual(body, { user: 'u1', viaHeaders: 'u1', removed: null, cookie: 'a=1; b=2', level: '3', assigned: 'yes', bad: null })
    })

    test('a route file without Vary leaves the host\'s as it is', async () => {
      const response = await target.send('/plain')
      assert.equal(response.headers.get('vary'), 'Origin')
      await response.text()
    })
  })
}
