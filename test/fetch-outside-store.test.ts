/**
 * Issue 12 review: the patched `fetch()` finds its route handler request through the request store,
 * which is off until something needs it (a cached GET's generation turns it on only while it
 * runs). A `fetch()` whose caching depends on its request — a `cache` mode, or the route's
 * `fetchCache` — must find it all the same, and the app's own fetch calls, which use `cache`
 * modes too, must be left alone. Runs in its own process, its tests in order: the first needs the
 * store off; the store is on for good from the second on.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { requestStorage } from '../lib/context.ts'
import { createRouteHandlers } from '../lib/router.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const quietLogger = { warn() {}, error() {} }
// Node 20 and 22 say whether the AsyncLocalStorage is on (see request-store-release.test.ts).
const storeIsOn = (): boolean | undefined => (requestStorage as { enabled?: boolean }).enabled
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
    'slow/route.ts': "export async function GET() {\n  await new Promise((resolve) => setTimeout(resolve, 300))\n  return new Response('slow')\n}\n",
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

  const hostFetch = async (init: RequestInit) => (await fetch(upstreamUrl, init)).text()

  test("the app's own fetch with a cache mode, while no route request runs: left alone, and the store stays off", async () => {
    await routes.ready()
    const start = hits
    await hostFetch({ cache: 'no-store' })
    await hostFetch({ cache: 'force-cache' })
    await hostFetch({ cache: 'force-cache' })
    assert.equal(hits - start, 3)
    // A route request after them still runs outside the store.
    assert.equal(await (await routes.handle(new Request('http://localhost/slow')))!.text(), 'slow')
    if (storeIsOn() !== undefined) assert.equal(storeIsOn(), false)
  })

  test("the app's own fetch with a cache mode while a route request runs outside the store: not taken for the route's, and the store turns on for the next ones", async () => {
    const start = hits
    const slow = routes.handle(new Request('http://localhost/slow'))
    const bodies = [await hostFetch({ cache: 'force-cache' }), await hostFetch({ cache: 'force-cache' })]
    assert.equal(await (await slow)!.text(), 'slow')
    assert.equal(hits - start, 2, String(bodies))
  })

  // The store is on now: the first request's fetch finds its request (one upstream hit for three).
  test("cache: 'force-cache' is cached in an uncached route, and in a route that turned dynamic after a generation", async () => {
    const fetched = `upstream ${hits + 1}`
    assert.deepEqual(await hitsFor(routes, '/uncached', 3), ['1', fetched])
    assert.equal(await (await routes.handle(new Request('http://localhost/cached')))!.text(), 'cached')
    assert.deepEqual(await hitsFor(routes, '/dynamic', 3), ['0', fetched])
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
  test('is cached from the first request on', async () => {
    // Made here, not when the file loads: loading the fetchCache file turns the store on.
    const routes = createRouteHandlers({ dir, logger: quietLogger })
    after(() => routes.close())
    await routes.ready()
    const [count, ...bodies] = await hitsFor(routes, '/proxy', 3)
    assert.equal(count, '1')
    assert.equal(bodies.length, 1)
  })
})
