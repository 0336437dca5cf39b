/**
 * A `"use cache"` entry's lifetime and tags (review): a cached `fetch()` or `unstable_cache` inside
 * it bounds them (Next collects them on the cache scope, its `revalidateStore`), and
 * `cacheLife({ revalidate: Infinity })` means never by time (Next keeps it as INFINITE_CACHE; the
 * lifetime stored as JSON read `Infinity` back as `null`, then as the default 15 minutes).
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRouteHandlers } from '../lib/index.ts'
import { quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

let upstream: Server
let count = 0
before(async () => {
  upstream = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ count: ++count })))
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  process.env.LIFETIMES_UPSTREAM_PORT = String((upstream.address() as AddressInfo).port)
})
after(() => upstream.close())

const DIR = tempRouteFolder({
  'uc-fetch/route.ts': `
export const dynamic = 'force-dynamic'
async function load() {
  'use cache'
  // No cacheLife(): Next's "use cache" scope takes the lowest revalidate of the fetches inside (1 s).
  return (await fetch('http://127.0.0.1:' + process.env.LIFETIMES_UPSTREAM_PORT + '/x', { next: { revalidate: 1 } })).json()
}
export async function GET() { return Response.json(await load()) }
`,
})

const TAGGED_DIR = tempRouteFolder({
  'uc-tagged-fetch/route.ts': `
export const dynamic = 'force-dynamic'
async function load() {
  'use cache'
  return (await fetch('http://127.0.0.1:' + process.env.LIFETIMES_UPSTREAM_PORT + '/tagged', { next: { revalidate: 3600, tags: ['upstream-data'] } })).json()
}
export async function GET() { return Response.json(await load()) }
`,
  'revalidate/route.ts': `
import { revalidateTag } from 'next/cache'
export function POST() {
  revalidateTag('upstream-data', { expire: 0 })
  return new Response('revalidated')
}
`,
})

test('revalidateTag() of a fetch\'s tag reaches the "use cache" entry made of it', async () => {
  const routes = await createRouteHandlers({ dir: TAGGED_DIR, logger: quietLogger }).ready()
  const get = async () => (await (await routes.handle(new Request('http://localhost/uc-tagged-fetch')))!.json()) as { count: number }
  const first = (await get()).count
  assert.equal((await get()).count, first)
  await sleep(5)
  await routes.handle(new Request('http://localhost/revalidate', { method: 'POST' }))
  assert.ok((await get()).count > first, 'the "use cache" entry did not carry the fetch\'s tag')
  await routes.close()
})

test('a "use cache" entry lives no longer than the revalidate of a fetch inside it', async () => {
  const routes = await createRouteHandlers({ dir: DIR, logger: quietLogger }).ready()
  const get = async () => (await (await routes.handle(new Request('http://localhost/uc-fetch')))!.json()) as { count: number }
  const first = (await get()).count
  assert.equal((await get()).count, first)
  await sleep(1200)
  // next start: the entry was stored with revalidate 1 (collected from the fetch), dropped by the
  // default handler past it; made again, the stale fetch entry refetched in the foreground
  // (willConsumerServerCache for a 'cache' scope).
  assert.ok((await get()).count > first, 'the "use cache" entry was stored with the default 900 s revalidate')
  await routes.close()
})

const FOREVER_DIR = tempRouteFolder({
  'forever/route.ts': `
import { cacheLife } from 'next/cache'
export const dynamic = 'force-dynamic'
async function load() {
  'use cache'
  // Next's docs: "Pass Infinity instead of false if you do not want to revalidate by time."
  cacheLife({ stale: 300, revalidate: Infinity, expire: Infinity })
  const state = ((globalThis as { __f6?: { n: number } }).__f6 ??= { n: 0 })
  return { n: ++state.n }
}
export async function GET() { return Response.json(await load()) }
`,
})

test('a "use cache" entry with cacheLife({ revalidate: Infinity }) is not made again after 15 minutes', async (t) => {
  const routes = await createRouteHandlers({ dir: FOREVER_DIR, logger: quietLogger }).ready()
  const get = async () => (await (await routes.handle(new Request('http://localhost/forever')))!.json()) as { n: number }
  assert.equal((await get()).n, 1)
  const realNow = Date.now
  Date.now = () => realNow() + 16 * 60 * 1000 // 16 minutes later
  t.after(() => void (Date.now = realNow))
  // Next normalizes Infinity to INFINITE_CACHE (cache-life-profile.ts); here it is stored as JSON
  // (null) and read back as the default profile's 900 s, so the entry counts as past its revalidate.
  assert.equal((await get()).n, 1)
  await routes.close()
})

// Review: an inline profile was taken as it was; Next checks it (validateAndNormalizeCacheLifeProfile).
test('cacheLife() with an inline profile Next refuses throws its error', async () => {
  const dir = tempRouteFolder({
    'life/route.ts': `
import { cacheLife } from 'next/cache'
export const dynamic = 'force-dynamic'
const profiles: Record<string, object> = { shorterExpire: { revalidate: 3600, expire: 60 }, falseRevalidate: { revalidate: false }, text: { stale: '60' } }
async function load(name: string) {
  'use cache'
  cacheLife(profiles[name] as never)
  return name
}
export async function GET(request: Request) { return Response.json(await load(new URL(request.url).searchParams.get('profile')!)) }
`,
  })
  const routes = await createRouteHandlers({ dir, logger: quietLogger }).ready()
  try {
    const call = (profile: string) => routes.handle(new Request(`http://localhost/life?profile=${profile}`))
    await assert.rejects(call('shorterExpire'), { message: /^If providing both the revalidate and expire options, the expire option must be greater than the revalidate option\./ })
    await assert.rejects(call('falseRevalidate'), { message: 'Pass `Infinity` instead of `false` if you do not want to revalidate by time.' })
    await assert.rejects(call('text'), { message: 'The stale option must be a number of seconds.' })
  } finally {
    await routes.close()
  }
})

const ROUTE_LIFETIME_DIR = tempRouteFolder({
  'hours/route.ts': `
import { cacheLife } from 'next/cache'
export const revalidate = 60
async function load() {
  'use cache'
  cacheLife('hours')
  return { at: Date.now() }
}
export async function GET() { return Response.json(await load()) }
`,
  'in-unstable-cache/route.ts': `
import { unstable_cache } from 'next/cache'
export const revalidate = 3600
async function inner() {
  'use cache'
  return { at: Date.now() }
}
const outer = unstable_cache(() => inner(), ['in-unstable-cache'])
export async function GET() { return Response.json(await outer()) }
`,
})

test('a cached GET\'s Cache-Control takes the expire of the "use cache" functions it called (Next\'s collectedExpire)', async () => {
  const routes = await createRouteHandlers({ dir: ROUTE_LIFETIME_DIR, logger: quietLogger }).ready()
  for (const expected of ['MISS', 'HIT']) {
    const answer = (await routes.handle(new Request('http://localhost/hours')))!
    assert.equal(answer.headers.get('x-nextjs-cache'), expected)
    // cacheLife('hours') expires after a day: 86400 - 60, not a year's stale-while-revalidate.
    assert.equal(answer.headers.get('cache-control'), 's-maxage=60, stale-while-revalidate=86340')
  }
  await routes.close()
})

test('a "use cache" function called inside unstable_cache leaves the GET\'s lifetime alone, as Next stops at unstable_cache', async () => {
  const routes = await createRouteHandlers({ dir: ROUTE_LIFETIME_DIR, logger: quietLogger }).ready()
  const answer = (await routes.handle(new Request('http://localhost/in-unstable-cache')))!
  assert.equal(answer.headers.get('x-nextjs-cache'), 'MISS')
  assert.equal(answer.headers.get('cache-control'), 's-maxage=3600, stale-while-revalidate=31532400', "not the inner function's default 900 s")
  await routes.close()
})
