import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { isRouteHandlersError, serve } from '../lib/index.ts'
import { entry } from './fixtures/app/next-apis/_after/log.ts'
import { rawRequest } from './helpers/http.ts'
import { APP_DIR } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

describe('standalone server', () => {
  let server: Server
  let port: number
  const logged: unknown[] = []

  before(async () => {
    server = await serve({ dir: APP_DIR, port: 0, logger: { warn() {}, error: (_message, error) => logged.push(error) } })
    port = (server.address() as AddressInfo).port
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  test('listens on 127.0.0.1 by default when given a port', () => {
    assert.equal((server.address() as AddressInfo).address, '127.0.0.1')
  })

  test('a hostile Host header → 400', async () => {
    for (const host of ['evil.example/x', 'a b', 'user@evil.example', '']) {
      const answer = await rawRequest(port, `GET /items HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
      assert.match(answer, /^HTTP\/1\.1 400 /, `Host: ${host}`)
    }
  })

  test('a request without Host → 400', async () => {
    const answer = await rawRequest(port, 'GET /items HTTP/1.0\r\n\r\n')
    assert.match(answer, /^HTTP\/1\.[01] 400 /)
  })

  // As next start: behind a proxy that terminates TLS, request.url says https, as the
  // x-forwarded-proto header Auth.js reads does (trial).
  test('the scheme is https when X-Forwarded-Proto contains it, as next start decides it; the host stays the Host header', async () => {
    const read = async (proto?: string) =>
      (await (await fetch(`http://127.0.0.1:${port}/next-apis/forwarded`, { headers: proto ? { 'x-forwarded-proto': proto } : {} })).json()) as Record<string, string>
    assert.equal((await read('https')).url, `https://127.0.0.1:${port}/next-apis/forwarded`)
    assert.equal((await read('http')).url, `http://127.0.0.1:${port}/next-apis/forwarded`)
    assert.deepEqual([(await read()).url, (await read()).proto], [`http://127.0.0.1:${port}/next-apis/forwarded`, 'http'])
  })

  test('no route → 404', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/no/such/route`)
    assert.equal(response.status, 404)
    assert.equal(await response.text(), 'Not Found')
  })

  // Next's own e2e case (app-custom-routes: "500 with an empty body when the handler throws"); the
  // body said "Internal Server Error" (a conformance run of Next's route-handler suite).
  test('a handler that throws → 500 with an empty body, as next start answers; logged once', async () => {
    const before = logged.length
    const response = await fetch(`http://127.0.0.1:${port}/dispatch/throws`)
    assert.equal(response.status, 500)
    assert.equal(await response.text(), '')
    assert.equal(logged.length, before + 1)
    assert.equal((logged.at(-1) as Error).message, 'secret detail from the handler')
  })

  test('in development the 500 shows the stack', async () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'development'
    try {
      const response = await fetch(`http://127.0.0.1:${port}/dispatch/throws`)
      assert.match(await response.text(), /secret detail from the handler\n\s+at /)
    } finally {
      process.env.NODE_ENV = previous
    }
  })
})

test('standalone: server.routes.close() waits for pending after() work', async () => {
  const server = await serve({ dir: APP_DIR, port: 0, logger: { warn() {}, error() {} } })
  const id = randomUUID()
  const log = entry(id)
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/next-apis/after/slow?id=${id}`)
  assert.equal(await response.text(), 'sent')
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  const closing = server.routes.close().then(() => log.events.push('closed'))
  await new Promise((resolve) => setImmediate(resolve))
  log.release()
  await closing
  assert.deepEqual(log.events, ['started', 'finished', 'closed'])
})

test('standalone: a route file that fails to load answers 500 while the others serve; failOnLoadError rejects instead', async () => {
  const dir = tempRouteFolder({
    'ok/route.ts': "export function GET() { return new Response('ok') }\n",
    'broken/route.ts': "import './does-not-exist.js'\nexport function GET() { return new Response('never') }\n",
  })
  const errors: string[] = []
  const server = await serve({ dir, port: 0, logger: { warn() {}, error: (message) => void errors.push(message) } })
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    assert.equal(await (await fetch(`${base}/ok`)).text(), 'ok')
    assert.equal((await fetch(`${base}/broken`)).status, 500)
    assert.ok(errors.some((message) => message.includes('broken/route.ts')))
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await assert.rejects(serve({ dir, port: 0, failOnLoadError: true, logger: { warn() {}, error() {} } }), (error: unknown) => {
    assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_ROUTES_LOAD')
    return true
  })
})
