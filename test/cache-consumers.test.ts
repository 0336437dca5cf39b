/**
 * Stale cached values met by work whose result is cached itself (Next.js's
 * `willConsumerServerCache`: a GET generated for its cache entry, on a MISS or a regeneration, or
 * a `"use cache"` function): fresh data is waited for, so the new entry is not made of stale data,
 * as `next start` does (review). And a caller that joins a background refresh's flight gets the
 * refreshed value, not `undefined`.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRouteHandlers } from '../lib/index.ts'
import { quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// One unstable_cache function (same source and key parts in both files: one cache key), slow enough
// for a background refresh to still run when the stale route entry is regenerated.
const getData = `
import { unstable_cache } from 'next/cache'
const getData = unstable_cache(async () => {
  const state = ((globalThis as { __f1?: { n: number } }).__f1 ??= { n: 0 })
  const n = ++state.n
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { n }
}, ['f1-data'], { revalidate: 1 })
`
const DIR = tempRouteFolder({
  'dynamic/route.ts': `${getData}
export const dynamic = 'force-dynamic'
export async function GET() { return Response.json({ data: await getData() }) }
`,
  'cached/route.ts': `${getData}
export const revalidate = 1
export async function GET() { return Response.json({ data: await getData() }) }
`,
})

test('a stale route entry regenerated while a background unstable_cache refresh runs holds the fresh data, not undefined', async () => {
  const routes = await createRouteHandlers({ dir: DIR, logger: quietLogger }).ready()
  const get = async (path: string) => {
    const response = (await routes.handle(new Request(`http://localhost${path}`)))!
    return { cache: response.headers.get('x-nextjs-cache'), body: await response.json() }
  }
  assert.equal((await get('/cached')).cache, 'MISS')
  await sleep(1100) // route entry and unstable_cache entry both stale
  // A dynamic route reads the stale unstable_cache entry: served stale, refreshed in the background (300 ms).
  const dynamic = get('/dynamic')
  await sleep(20)
  // Meanwhile the cached route is asked for: STALE, regenerated in the background; its unstable_cache
  // call joins the refresh's single flight.
  assert.equal((await get('/cached')).cache, 'STALE')
  await dynamic
  let latest = await get('/cached')
  for (let tries = 0; tries < 100 && latest.cache !== 'HIT'; tries++) {
    await sleep(20)
    latest = await get('/cached')
  }
  assert.equal(latest.cache, 'HIT')
  assert.deepEqual(latest.body, { data: { n: 2 } })
  await routes.close()
})

const UC_DIR = tempRouteFolder({
  'uc-tagged/route.ts': `
import { cacheTag } from 'next/cache'
export const revalidate = 3600
async function load() {
  'use cache'
  cacheTag('posts')
  const state = ((globalThis as { __f2?: { n: number } }).__f2 ??= { n: 0 })
  return { n: ++state.n }
}
export async function GET() { return Response.json({ data: await load() }) }
`,
  'revalidate/route.ts': `
import { revalidateTag } from 'next/cache'
export async function POST() {
  revalidateTag('posts', 'max')
  return Response.json({ revalidated: true })
}
`,
})

test("after revalidateTag('posts', 'max'), the regenerated route entry holds fresh \"use cache\" data (Next: foreground when the consumer will server-cache)", async () => {
  const routes = await createRouteHandlers({ dir: UC_DIR, logger: quietLogger }).ready()
  const get = async (path: string, method = 'GET') => {
    const response = (await routes.handle(new Request(`http://localhost${path}`, { method })))!
    return { cache: response.headers.get('x-nextjs-cache'), body: await response.json() }
  }
  const first = await get('/uc-tagged')
  assert.deepEqual([first.cache, first.body.data.n], ['MISS', 1])
  await sleep(5)
  await get('/revalidate', 'POST')
  const stale = await get('/uc-tagged')
  assert.deepEqual([stale.cache, stale.body.data.n], ['STALE', 1])
  let latest = stale
  for (let tries = 0; tries < 100 && latest.cache !== 'HIT'; tries++) {
    await sleep(20)
    latest = await get('/uc-tagged')
  }
  assert.equal(latest.cache, 'HIT')
  assert.ok(latest.body.data.n > 1, `the regenerated route entry holds the stale "use cache" value ${JSON.stringify(latest.body)}`)
  await routes.close()
})

const MISS_DIR = tempRouteFolder({
  'posts/[slug]/route.ts': `
import { unstable_cache } from 'next/cache'
export const revalidate = 3600
export async function generateStaticParams() { return [{ slug: 'a' }] }
const getPosts = unstable_cache(async () => {
  const state = ((globalThis as { __f3?: { n: number } }).__f3 ??= { n: 0 })
  return { n: ++state.n }
}, ['f3-posts'], { tags: ['posts'] })
export async function GET() { return Response.json({ data: await getPosts() }) }
`,
  'revalidate/route.ts': `
import { revalidateTag } from 'next/cache'
export async function POST() {
  revalidateTag('posts', 'max')
  return Response.json({ revalidated: true })
}
`,
})

test('a route entry generated on a MISS (a slug asked for the first time) after revalidateTag(tag, "max") holds fresh unstable_cache data', async () => {
  const routes = await createRouteHandlers({ dir: MISS_DIR, logger: quietLogger }).ready()
  const get = async (path: string, method = 'GET') => {
    const response = (await routes.handle(new Request(`http://localhost${path}`, { method })))!
    return { cache: response.headers.get('x-nextjs-cache'), body: await response.json() }
  }
  assert.deepEqual((await get('/posts/a')).body, { data: { n: 1 } })
  await sleep(5)
  await get('/revalidate', 'POST')
  const b = await get('/posts/b')
  assert.equal(b.cache, 'MISS')
  // next start generates /posts/b as a static generation (prerender-legacy): willConsumerServerCache,
  // so the stale unstable_cache entry is refreshed in the foreground; here the stale value is stored
  // in /posts/b's new entry, fresh for 3600 s.
  assert.deepEqual(b.body, { data: { n: 2 } })
  await routes.close()
})
