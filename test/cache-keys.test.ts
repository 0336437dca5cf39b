/**
 * A cached GET is keyed by the path as the hosts routed it, raw: a path the URL parser would
 * rewrite (`/blog/..` resolves to `/`) must not store one route file's answer under another's key.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { rawRequest } from './helpers/http.ts'
import { expressTarget, fastifyTarget, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

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
  ['Express', () => expressTarget('', dir, { logger: quietLogger })],
  ['Fastify', () => fastifyTarget('', dir, { logger: quietLogger })],
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
  })
}
