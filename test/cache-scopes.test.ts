/**
 * Cache scopes inside a cached GET, as trial apps write them (store templates wrap their fetches in
 * `unstable_cache`): a `revalidate: 0` fetch or `unstable_noStore()` inside `unstable_cache` or
 * `"use cache"` marks nothing dynamic (Next's markCurrentScopeAsDynamic returns in a cache scope),
 * where it was a 500 here; a stale route entry regenerated after `revalidateTag` waits for fresh
 * `unstable_cache` data, where its new entry held the stale data for its whole lifetime; and a
 * `"use cache"` entry past its `revalidate` is not served (trial).
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { expressTarget, fastifyTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const upstreamUrl = () => `'http://127.0.0.1:' + process.env.SCOPES_UPSTREAM_PORT`

const dir = tempRouteFolder({
  // Copied in shape from store templates: a cached route whose data comes through unstable_cache.
  'tagged/route.ts': `
import { unstable_cache } from 'next/cache'
export const revalidate = 3600
const getPosts = unstable_cache(async () => (await fetch(${upstreamUrl()} + '/posts')).json(), ['posts-list'], { tags: ['posts'] })
export async function GET() {
  return Response.json({ data: await getPosts() })
}
`,
  'errors-on-dynamic/route.ts': `
import { unstable_cache } from 'next/cache'
export const dynamic = 'error'
const getPosts = unstable_cache(async () => (await fetch(${upstreamUrl()} + '/strict', { next: { revalidate: 60 } })).json(), ['strict-list'])
export async function GET() {
  return Response.json({ data: await getPosts() })
}
`,
  'use-cache-no-store/route.ts': `
import { unstable_noStore } from 'next/cache'
export const revalidate = 60
async function load() {
  'use cache'
  unstable_noStore()
  return (await fetch(${upstreamUrl()} + '/use-cache', { cache: 'no-store' })).json()
}
export async function GET() {
  return Response.json({ data: await load() })
}
`,
  // Trial: past its revalidate, next start's default "use cache" handler makes the entry again.
  'timed/route.ts': `
import { cacheLife } from 'next/cache'
export const dynamic = 'force-dynamic'
async function load() {
  'use cache'
  cacheLife({ stale: 0, revalidate: 1, expire: 60 })
  return (await fetch(${upstreamUrl()} + '/timed', { cache: 'no-store' })).json()
}
export async function GET() {
  return Response.json({ data: await load() })
}
`,
  'revalidate/route.ts': `
import { revalidateTag } from 'next/cache'
export async function POST() {
  revalidateTag('posts', 'max')
  return Response.json({ revalidated: true })
}
`,
})

let upstream: Server
let count = 0
before(async () => {
  upstream = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ count: ++count }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  process.env.SCOPES_UPSTREAM_PORT = String((upstream.address() as AddressInfo).port)
})
after(() => {
  upstream.closeAllConnections()
  upstream.close()
})

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: cache scopes inside a cached GET`, () => {
    let target: SocketTarget
    const get = async (path: string) => {
      const response = await target.send(path)
      return { status: response.status, cache: response.headers.get('x-nextjs-cache'), body: (await response.json()) as { data: { count: number } } }
    }
    before(async () => {
      target = await start('/api', dir)
    })
    after(() => target.close())

    test('a fetch inside unstable_cache in a revalidate = 3600 route: cached, MISS then HIT', async () => {
      const first = await get('/tagged')
      assert.equal(first.status, 200)
      assert.equal(first.cache, 'MISS')
      const second = await get('/tagged')
      assert.deepEqual([second.status, second.cache, second.body], [200, 'HIT', first.body])
    })

    test("a fetch inside unstable_cache under dynamic = 'error': no bailout", async () => {
      const first = await get('/errors-on-dynamic')
      assert.equal(first.status, 200)
      assert.deepEqual((await get('/errors-on-dynamic')).body, first.body)
    })

    test('unstable_noStore() and a no-store fetch inside "use cache": cached, no error', async () => {
      const first = await get('/use-cache-no-store')
      assert.equal(first.status, 200)
      assert.deepEqual((await get('/use-cache-no-store')).body, first.body)
    })

    test('a "use cache" entry past its revalidate is made again before use, as next start\'s default handler does', async () => {
      const first = (await get('/timed')).body.data.count
      assert.equal((await get('/timed')).body.data.count, first)
      await sleep(1100)
      const after = (await get('/timed')).body.data.count
      assert.ok(after > first, 'the entry past its revalidate was served')
      assert.equal((await get('/timed')).body.data.count, after)
    })

    test("after revalidateTag('posts', 'max'): STALE once, then the entry regenerated holds fresh unstable_cache data", async () => {
      const before = (await get('/tagged')).body.data.count
      assert.equal((await target.send('/revalidate', { method: 'POST' })).status, 200)
      const stale = await get('/tagged')
      assert.deepEqual([stale.cache, stale.body.data.count], ['STALE', before])
      // Regenerated in the background after the STALE answer: HIT once stored.
      let latest = stale
      for (let tries = 0; tries < 200 && latest.cache !== 'HIT'; tries++) {
        await sleep(10)
        latest = await get('/tagged')
      }
      assert.equal(latest.cache, 'HIT')
      assert.ok(latest.body.data.count > before, 'the regenerated entry holds the stale unstable_cache data')
    })
  })
}
