/**
 * `return fetch(upstream)`, the proxy route real apps write, of an upstream that compresses:
 * `fetch()` decodes the body and keeps the upstream's `Content-Encoding` and `Content-Length`.
 * Next.js drops both (and `Transfer-Encoding`) from a route's answer; here they were sent on, so
 * the decoded body went out under the encoded length and was cut short (trial). Every host sends
 * the whole decoded body, undeclared, and the connection stays usable; a route's own length stays.
 */
import assert from 'node:assert/strict'
import { createServer, get, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { expressTarget, fastifyTarget, standaloneTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// 2 MB of text that gzip shrinks to a few kB: its encoded length is far below the body's.
const SOURCE = Buffer.from(Array.from({ length: 40_000 }, (_, index) => `line ${index} of the upstream's answer\n`).join(''))
const upstreamUrl = () => (globalThis as { __upstreamUrl?: string }).__upstreamUrl!

const dir = tempRouteFolder({
  'proxy/route.ts': `export const GET = () => fetch((globalThis as { __upstreamUrl?: string }).__upstreamUrl!)\n`,
  'proxy-body/route.ts': `export async function GET() {
  const upstream = await fetch((globalThis as { __upstreamUrl?: string }).__upstreamUrl!)
  return new Response(upstream.body, { status: upstream.status, headers: upstream.headers })
}
`,
  'proxy-bytes/route.ts': `export async function GET() {
  const upstream = await fetch((globalThis as { __upstreamUrl?: string }).__upstreamUrl!)
  return new Response(await upstream.arrayBuffer(), { headers: upstream.headers })
}
`,
  // Its own length, over a body it streams: kept (a download's size).
  'own-length/route.ts': `export function GET() {
  const chunks = ['abc', 'def']
  const body = new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift()
      if (chunk === undefined) controller.close()
      else controller.enqueue(new TextEncoder().encode(chunk))
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/plain', 'content-length': '6' } })
}
`,
})

/** A plain GET (no Accept-Encoding) and the answer as received: status, headers, bytes. */
function rawGet(url: string): Promise<{ response: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ response, body: Buffer.concat(chunks) }))
      response.on('error', reject)
    }).on('error', reject)
  })
}

let upstream: Server
before(async () => {
  const gzipped = gzipSync(SOURCE)
  upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip', 'content-length': gzipped.byteLength })
    res.end(gzipped)
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  ;(globalThis as { __upstreamUrl?: string }).__upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`
})
after(() => new Promise<void>((resolve) => upstream.close(() => resolve())))

for (const [name, start] of [
  ['standalone', () => standaloneTarget('/api', dir)],
  ['Express', () => expressTarget('/api', dir)],
  ['Fastify', () => fastifyTarget('/api', dir)],
] as const) {
  describe(`a proxied fetch() on ${name}`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    for (const route of ['proxy', 'proxy-body', 'proxy-bytes']) {
      test(`${route}: the whole decoded body, without the upstream's Content-Encoding and Content-Length`, async () => {
        assert.ok(upstreamUrl())
        for (let round = 0; round < 2; round++) {
          const { response, body } = await rawGet(`http://127.0.0.1:${target.port}/api/${route}`)
          assert.equal(response.statusCode, 200)
          assert.equal(response.headers['content-encoding'], undefined)
          assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8')
          const length = response.headers['content-length']
          assert.ok(length === undefined || Number(length) === SOURCE.byteLength, `content-length ${length}`)
          assert.equal(body.byteLength, SOURCE.byteLength)
          assert.ok(body.equals(SOURCE))
        }
      })
    }

    test("a route's own Content-Length over its stream is sent", async () => {
      const { response, body } = await rawGet(`http://127.0.0.1:${target.port}/api/own-length`)
      assert.equal(response.headers['content-length'], '6')
      assert.equal(body.toString(), 'abcdef')
    })
  })
}
