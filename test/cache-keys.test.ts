/**
 * A cached GET is keyed by the path as the hosts routed it, raw: a path the URL parser would
 * rewrite (`/blog/..` resolves to `/`) must not store one route file's answer under another's key.
 * A fresh entry is sent before the hosts build the request: what building it refuses (a hostile
 * Host, a target that is not a path) is still refused, and draft mode still skips the cache.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { rawRequest } from './helpers/http.ts'
import { expressTarget, fastifyTarget, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const PREVIEW_ID = 'preview-id-for-tests'

const dir = tempRouteFolder({
  'route.ts': "export const revalidate = 60\nexport function GET() { return new Response('the root') }\n",
  'blog/[slug]/route.ts': [
    'export const revalidate = 60',
    'export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {',
    '  return new Response(`blog post ${(await params).slug}`)',
    '}',
    '',
  ].join('\n'),
})

function bodyOf(raw: string): string {
  return raw.slice(raw.indexOf('\r\n\r\n') + 4)
}

for (const [name, start] of [
  ['Express', () => expressTarget('', dir, { logger: quietLogger, previewModeId: PREVIEW_ID })],
  ['Fastify', () => fastifyTarget('', dir, { logger: quietLogger, previewModeId: PREVIEW_ID })],
] as const) {
  describe(`cache keys are the routed path, raw: ${name}`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    test("GET /blog/.. (blog/[slug] with slug '..') does not answer later GETs of / ", async () => {
      const dotted = await rawRequest(target.port, 'GET /blog/.. HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.match(dotted, /^HTTP\/1\.1 200/)
      assert.equal(bodyOf(dotted), 'blog post ..')
      const root = await rawRequest(target.port, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.equal(bodyOf(root), 'the root')
      // And the dotted path keeps its own entry.
      const again = await rawRequest(target.port, 'GET /blog/.. HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.equal(bodyOf(again), 'blog post ..')
      assert.match(again, /x-nextjs-cache: HIT/i)
    })

    test('a HIT sent before the request is built: a hostile Host is still a 400, and so is a target that is not a path', async () => {
      const warm = await rawRequest(target.port, 'GET /blog/post HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.equal(bodyOf(warm), 'blog post post')
      const hit = await rawRequest(target.port, 'GET /blog/post HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.match(hit, /x-nextjs-cache: HIT/i)
      const hostile = await rawRequest(target.port, 'GET /blog/post HTTP/1.1\r\nHost: a:99999\r\nConnection: close\r\n\r\n')
      assert.match(hostile, /^HTTP\/1\.1 400/)
      const otherScheme = await rawRequest(target.port, 'GET ws://evil.example/blog/post HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.match(otherScheme, /^HTTP\/1\.1 4\d\d/)
      assert.doesNotMatch(otherScheme, /blog post/)
    })

    test('a draft-mode cookie still skips the cache on a route with a fresh entry', async () => {
      await rawRequest(target.port, 'GET /blog/draft HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      const hit = await rawRequest(target.port, 'GET /blog/draft HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.match(hit, /x-nextjs-cache: HIT/i)
      const draft = await rawRequest(target.port, `GET /blog/draft HTTP/1.1\r\nHost: localhost\r\nCookie: __prerender_bypass=${PREVIEW_ID}\r\nConnection: close\r\n\r\n`)
      assert.doesNotMatch(draft, /x-nextjs-cache/i)
      assert.match(draft, /cache-control: private, no-cache, no-store/i)
    })
  })
}
