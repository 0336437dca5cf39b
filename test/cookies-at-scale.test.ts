/**
 * Issue 10 #2: the cookie APIs cost grew with the square of the cookie count (2,850 request cookies
 * burnt a second of CPU in `cookies()`; 10,000 `set()` calls, 20 s). Their cost is measured in
 * bench/cookies.ts; here, over real HTTP on both hosts, their answers at 10,000 cookies, byte for
 * byte and in order.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { createServer, get, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const COUNT = 10_000
// 10,000 cookies are ~130 KB of request header and ~200 KB of Set-Cookie: above Node's 16 KB default.
const MAX_HEADER_SIZE = 4 * 1024 * 1024

const dir = tempRouteFolder({
  'read/route.ts': `
    import { cookies } from 'next/headers'
    import type { NextRequest } from 'next/server'
    const list = (cookies: { name: string; value: string }[]) => cookies.map((cookie) => cookie.name + '=' + cookie.value).join('; ')
    export async function GET(request: NextRequest) {
      const jar = await cookies()
      return Response.json({ jar: list(jar.getAll()), size: jar.size, last: jar.get('c${COUNT - 1}'), request: list(request.cookies.getAll()) })
    }`,
  'set/route.ts': `
    import { cookies } from 'next/headers'
    export async function GET() {
      const jar = await cookies()
      for (let index = 0; index < ${COUNT}; index++) jar.set('c' + index, 'v ' + index)
      jar.set('c0', 'again')
      jar.delete('c1')
      return new Response('ok', { headers: [['set-cookie', 'c2=from-response'], ['set-cookie', 'returned=1; Path=/r']] })
    }`,
  'response/route.ts': `
    import { NextResponse } from 'next/server'
    export function GET() {
      const response = NextResponse.json({ ok: true })
      for (let index = 0; index < ${COUNT}; index++) response.cookies.set('c' + index, 'v ' + index)
      response.cookies.set('c0', 'again')
      return response
    }`,
  'request-set/route.ts': `
    import type { NextRequest } from 'next/server'
    export function GET(request: NextRequest) {
      for (let index = 0; index < ${COUNT}; index++) request.cookies.set('n' + index, 'v ' + index)
      return new Response(request.headers.get('cookie'))
    }`,
})

const requestCookies = Array.from({ length: COUNT }, (_, index) => `c${index}=v${index}`).join('; ')

interface Answer {
  status: number
  setCookie: string[]
  body: string
}

function send(port: number, path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, headers: cookie ? { cookie } : {}, maxHeaderSize: MAX_HEADER_SIZE }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode!, setCookie: response.headers['set-cookie'] ?? [], body }))
    })
    // Node's client keeps 2,000 header lines by default; 0 keeps them all.
    request.maxHeadersCount = 0
    request.on('error', reject)
  })
}

async function listen(listener: RequestListener): Promise<Server> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_SIZE }, listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

const HOSTS: Record<string, () => Promise<{ port: number; close: () => Promise<void> }>> = {
  async Express() {
    const app = express()
    app.use(await routeHandlers({ dir, logger: quietLogger }).ready())
    const server = await listen(app)
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    }
  },
  async Fastify() {
    const app = Fastify({ serverFactory: (handler) => createServer({ maxHeaderSize: MAX_HEADER_SIZE }, handler) })
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
    return fastifyListening(app)
  },
}

for (const [host, start] of Object.entries(HOSTS)) {
  describe(`${host}: cookies at 10,000`, () => {
    let server: Awaited<ReturnType<typeof start>>
    before(async () => {
      server = await start()
    })
    after(() => server.close())

    test('cookies(): 10,000 request cookies read in order, as request.cookies reads them (issue 10 #2)', async () => {
      const answer = await send(server.port, '/read', requestCookies)
      assert.equal(answer.status, 200)
      const body = JSON.parse(answer.body) as Record<string, unknown>
      assert.deepEqual(body, { jar: requestCookies, size: COUNT, last: { name: `c${COUNT - 1}`, value: `v${COUNT - 1}`, path: '/' }, request: requestCookies })
    })

    test('cookies().set() 10,000 times: one Set-Cookie per name, in order, the Response wins (issue 10 #2)', async () => {
      const answer = await send(server.port, '/set')
      assert.equal(answer.status, 200)
      const expected = ['c2=from-response; Path=/', 'returned=1; Path=/r', 'c0=again; Path=/', 'c1=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']
      for (let index = 3; index < COUNT; index++) expected.push(`c${index}=v%20${index}; Path=/`)
      assert.deepEqual(answer.setCookie, expected)
    })

    test('NextResponse.cookies.set() 10,000 times: one Set-Cookie per name, in order (issue 10 #2)', async () => {
      const answer = await send(server.port, '/response')
      assert.equal(answer.status, 200)
      const expected = Array.from({ length: COUNT }, (_, index) => `c${index}=${index === 0 ? 'again' : `v%20${index}`}; Path=/`)
      assert.deepEqual(answer.setCookie, expected)
    })

    test('request.cookies.set() 10,000 times over 10,000 request cookies: the Cookie header Next writes (issue 10 #2)', async () => {
      const answer = await send(server.port, '/request-set', requestCookies)
      assert.equal(answer.status, 200)
      const added = Array.from({ length: COUNT }, (_, index) => `n${index}=v%20${index}`).join('; ')
      assert.equal(answer.body, `${requestCookies}; ${added}`)
    })
  })
}
