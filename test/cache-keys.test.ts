/**
 * A cached GET is keyed by the path as the hosts routed it, raw: a path the URL parser would
 * rewrite (`/blog/..` resolves to `/`) must not store one route file's answer under another's key
 * (such a path is refused now, 400, before any key is made).
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
    // Params generated on their first request (a route with params and a revalidate alone is dynamic, as in Next.js).
    'export const generateStaticParams = () => []',
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

    test("GET /blog/.. (which blog/[slug] would take with slug '..') is a 400, and GET / stays the root", async () => {
      const dotted = await rawRequest(target.port, 'GET /blog/.. HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.match(dotted, /^HTTP\/1\.1 400/)
      assert.doesNotMatch(dotted, /x-nextjs-cache/i)
      const root = await rawRequest(target.port, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      assert.equal(bodyOf(root), 'the root')
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

// Review: the route's entry and the unstable_cache entries it used carry one pathname tag, in the
// URL parser's encoded form (as Next.js's), whichever spelling the request used.
describe('revalidatePath reaches a cached route and its unstable_cache data alike', () => {
  const tagsDir = tempRouteFolder({
    'blog/[slug]/route.ts': [
      "import { unstable_cache } from 'next/cache'",
      'export const revalidate = 3600',
      'export const generateStaticParams = () => []',
      'let n = 0',
      "const data = unstable_cache(async (slug: string) => `data ${++n}`, ['data'], { revalidate: 3600 })",
      'export async function GET(_request: Request, { params }: { params: Promise<{ slug: string }> }) {',
      '  const { slug } = await params',
      '  return new Response(`${slug}: ${await data(slug)}`)',
      '}',
      '',
    ].join('\n'),
    'purge/route.ts': [
      "import { revalidatePath } from 'next/cache'",
      'export async function POST(request: Request) {',
      '  revalidatePath(await request.text())',
      "  return new Response('ok')",
      '}',
      '',
    ].join('\n'),
  })
  let target: SocketTarget
  before(async () => {
    target = await expressTarget('', tagsDir, { logger: quietLogger })
  })
  after(() => target.close())

  for (const spelling of ['/blog/{x}', '/blog/%7Bx%7D']) {
    test(`GET ${spelling} (raw), then revalidatePath('/blog/%7Bx%7D'): fresh data`, async () => {
      const get = () => rawRequest(target.port, `GET ${spelling} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
      const first = await get()
      assert.match(first, /^HTTP\/1\.1 200/, first)
      assert.match(await get(), /x-nextjs-cache: HIT/i)
      const purge = await target.send('/purge', { method: 'POST', body: '/blog/%7Bx%7D' })
      assert.equal(purge.status, 200)
      const again = await get()
      assert.notEqual(bodyOf(again), bodyOf(first), `still ${JSON.stringify(bodyOf(again))}`)
    })
  }

  test('both spellings are one entry', async () => {
    await rawRequest(target.port, 'GET /blog/{y} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    const other = await rawRequest(target.port, 'GET /blog/%7By%7D HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    assert.match(other, /x-nextjs-cache: HIT/i)
  })
})
