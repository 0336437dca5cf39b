/**
 * Issue 12 review: the patched `fetch()` finds its route handler request through the request store,
 * which is off until something needs it (a cached GET's generation turns it on only while it
 * runs). A `fetch()` whose caching depends on its request — a `cache` mode, or the route's
 * `fetchCache` — must find it all the same. Runs in its own process: the first block needs the
 * store off, the second turns it on for good (a route file with `fetchCache`).
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { createRouteHandlers } from '../lib/router.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const quietLogger = { warn() {}, error() {} }
let upstream: Server
let hits = 0
let upstreamUrl = ''

before(async () => {
  upstream = createServer((_request, response) => {
    hits++
    response.end(`upstream ${hits}`)
  }).listen(0, '127.0.0.1')
  await once(upstream, 'listening')
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/data`
  process.env.UPSTREAM_URL = upstreamUrl
})
after(() => upstream.close())

async function hitsFor(routes: ReturnType<typeof createRouteHandlers>, path: string, times: number): Promise<string[]> {
  const start = hits
  const bodies: string[] = []
  for (let index = 0; index < times; index++) bodies.push(await (await routes.handle(new Request(`http://localhost${path}`, { headers: { 'x-who': String(index) } })))!.text())
  return [String(hits - start), ...new Set(bodies)]
}

describe('fetch() with a cache mode, in a route whose requests run outside the store', () => {
  const dir = tempRouteFolder({
    'cached/route.ts': "export const revalidate = 60\nexport function GET() { return new Response('cached') }\n",
    // Reads a header: dynamic after its first request, which generation found out.
    'dynamic/route.ts': [
      'export const revalidate = 60',
      'export async function GET(request: Request) {',
      "  request.headers.get('x-who')",
      "  const response = await fetch(process.env.UPSTREAM_URL!, { cache: 'force-cache' })",
      '  return new Response(await response.text())',
      '}',
      '',
    ].join('\n'),
    'uncached/route.ts': [
      'export async function GET() {',
      "  const response = await fetch(process.env.UPSTREAM_URL!, { cache: 'force-cache' })",
      '  return new Response(await response.text())',
      '}',
      '',
    ].join('\n'),
  })
  const routes = createRouteHandlers({ dir, logger: quietLogger })
  after(() => routes.close())

  test("cache: 'force-cache' is cached in an uncached route, and in a route that turned dynamic after a generation", async () => {
    await routes.ready()
    // First, while nothing has turned the store on: the fetch itself must find its request.
    assert.deepEqual(await hitsFor(routes, '/uncached', 3), ['1', 'upstream 1'])
    assert.equal(await (await routes.handle(new Request('http://localhost/cached')))!.text(), 'cached')
    assert.deepEqual(await hitsFor(routes, '/dynamic', 3), ['0', 'upstream 1'])
  })
})

describe("fetch() without options in a route with fetchCache = 'force-cache'", () => {
  const dir = tempRouteFolder({
    'proxy/route.ts': [
      "export const fetchCache = 'force-cache'",
      'export async function GET() {',
      "  const response = await fetch(process.env.UPSTREAM_URL! + '?proxy')",
      '  return new Response(await response.text())',
      '}',
      '',
    ].join('\n'),
  })
  const routes = createRouteHandlers({ dir, logger: quietLogger })
  after(() => routes.close())

  test('is cached from the first request on', async () => {
    await routes.ready()
    const [count, ...bodies] = await hitsFor(routes, '/proxy', 3)
    assert.equal(count, '1')
    assert.equal(bodies.length, 1)
  })
})
