import Fastify from 'fastify'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers, isRouteHandlersError, MemoryCacheHandler } from '../lib/index.ts'
import { BrokenStore, CACHE_APP_DIR, recordingLogger, runBrokenStoreBehaviour, runCacheBehaviour } from './helpers/cache-behaviour.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'
import { expressTarget, fastifyTarget, handleTarget, quietLogger } from './helpers/targets.ts'

runCacheBehaviour('Express', expressTarget)
runCacheBehaviour('Fastify under /api', fastifyTarget, '/api')
runCacheBehaviour('core handle()', handleTarget)
runBrokenStoreBehaviour('Express', expressTarget)
runBrokenStoreBehaviour('Fastify', fastifyTarget)

describe('two instances on one shared store (the contract\'s extensions, with the memory store)', () => {
  test('a stale entry is regenerated once across both; a revalidateTag on one is seen by the other', async () => {
    const store = new MemoryCacheHandler({ revalidatedTags: [], _requestHeaders: {} })
    const [a, b] = await Promise.all([expressTarget('', CACHE_APP_DIR, { cache: { store } }), fastifyTarget('', CACHE_APP_DIR, { cache: { store } })])
    try {
      const { calls } = (await (await a.send('/revalidate')).json()) as { calls: number }
      assert.equal((await b.send('/revalidate')).headers.get('x-nextjs-cache'), 'HIT', 'B reads the entry A wrote')
      await sleep(1100)
      const stale = await Promise.all([a.send('/revalidate'), b.send('/revalidate')])
      assert.ok(stale.some((response) => response.headers.get('x-nextjs-cache') === 'STALE'))
      assert.ok(await eventually(async () => ((await (await b.send('/revalidate')).json()) as { calls: number }).calls === calls + 1))
      await sleep(50)
      assert.deepEqual(await (await a.send('/revalidate')).json(), { calls: calls + 1 }, 'regenerated once, by one instance')

      await a.send('/tagged')
      assert.equal((await b.send('/tagged')).headers.get('x-nextjs-cache'), 'HIT')
      await a.send('/admin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'posts', profile: { expire: 0 } }) })
      assert.equal((await b.send('/tagged')).headers.get('x-nextjs-cache'), 'MISS', 'B sees the tag A revalidated')
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})

describe('two instances on one shared store: a failed regeneration', () => {
  test('holds off the next one on both for 3 s, and leaves the entry stale on both (not fresh again, not rewritten)', async () => {
    const store = new MemoryCacheHandler({ revalidatedTags: [], _requestHeaders: {} })
    const logs = { a: recordingLogger(), b: recordingLogger() }
    const [a, b] = await Promise.all([
      expressTarget('', CACHE_APP_DIR, { cache: { store }, logger: logs.a.logger }),
      fastifyTarget('', CACHE_APP_DIR, { cache: { store }, logger: logs.b.logger }),
    ])
    const toggle = (fail: boolean) => a.send('/flaky-toggle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fail }) })
    try {
      await toggle(false)
      const first = await (await a.send('/flaky')).json()
      assert.equal((await b.send('/flaky')).headers.get('x-nextjs-cache'), 'HIT')
      await toggle(true)
      await sleep(1100)
      assert.equal((await a.send('/flaky')).headers.get('x-nextjs-cache'), 'STALE')
      assert.ok(await eventually(async () => logs.a.errors.length === 1))
      for (let i = 0; i < 5; i++) {
        const response = await b.send('/flaky')
        assert.equal(response.headers.get('x-nextjs-cache'), 'STALE', 'still stale for the other instance')
        assert.deepEqual(await response.json(), first)
      }
      await sleep(50)
      assert.equal(logs.b.errors.length, 0, 'the other instance did not regenerate meanwhile')
    } finally {
      await toggle(false)
      await Promise.all([a.close(), b.close()])
    }
  })
})

describe('a failed regeneration with a store that renews its holder\'s lock', () => {
  test('the lock is kept for the hold-off, never released in between (where another instance could take it)', async () => {
    const calls: [string, string, number?][] = []
    const held = new Set<string>()
    // The contract's extensions as the Redis store keeps them.
    class RenewingStore extends MemoryCacheHandler {
      override async lockRegeneration(key: string, ttlMs: number): Promise<boolean> {
        calls.push(['lock', key, ttlMs])
        if (held.has(key)) return false
        held.add(key)
        return true
      }
      async renewRegeneration(key: string, ttlMs: number): Promise<boolean> {
        calls.push(['renew', key, ttlMs])
        return held.has(key)
      }
      override async unlockRegeneration(key: string): Promise<void> {
        calls.push(['unlock', key])
        held.delete(key)
      }
    }
    const logger = recordingLogger()
    const routes = await createRouteHandlers({ dir: CACHE_APP_DIR, cache: { store: new RenewingStore({ revalidatedTags: [], _requestHeaders: {} }) }, logger: logger.logger }).ready()
    const toggle = (fail: boolean) => routes.handle(new Request('http://localhost/flaky-toggle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fail }) }))
    try {
      await toggle(false)
      await routes.handle(new Request('http://localhost/flaky'))
      await toggle(true)
      await sleep(1100)
      assert.equal((await routes.handle(new Request('http://localhost/flaky')))?.headers.get('x-nextjs-cache'), 'STALE')
      await routes.close()
      assert.equal(logger.errors.length, 1)
      assert.deepEqual(calls, [
        ['lock', '/flaky', 30_000],
        ['renew', '/flaky', 3_000],
      ])
      assert.ok(held.has('/flaky'))
    } finally {
      await toggle(false)
    }
  })
})

// Trial (a Fastify API with a public and a guarded mount): each mount made its own in-memory
// store, so a revalidateTag() in one left the other serving the old price. A Next.js process has
// one cache; the mounts' entries stay apart (their paths may coincide), their tags are one.
describe('two mounts in one app, each with the default store', () => {
  test("a revalidateTag() in one mount's route expires what the other cached under that tag", async () => {
    const price = globalThis as { mountsPrice?: number }
    price.mountsPrice = 1
    const priced = (where: string) =>
      [
        "import { unstable_cache } from 'next/cache'",
        "const getPrice = unstable_cache(async () => (globalThis as { mountsPrice?: number }).mountsPrice, ['mounts-price'], { tags: ['mounts-prices'] })",
        `export async function GET() { return Response.json({ where: '${where}', price: await getPrice() }) }`,
        '',
      ].join('\n')
    const publicDir = tempRouteFolder({
      'prices/route.ts': priced('public'),
      'revalidate/route.ts': [
        "import { revalidateTag } from 'next/cache'",
        "export function POST() { (globalThis as { mountsPrice?: number }).mountsPrice = 2; revalidateTag('mounts-prices', { expire: 0 }); return new Response('ok') }",
        '',
      ].join('\n'),
    })
    const privateDir = tempRouteFolder({ 'prices/route.ts': priced('private') })
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: publicDir, prefix: '/api', logger: quietLogger })
    await app.register(routeHandlersPlugin, { dir: privateDir, prefix: '/admin', logger: quietLogger })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const prices = async () => Promise.all(['/api/prices', '/admin/prices'].map(async (path) => ((await (await fetch(base + path)).json()) as { price: number }).price))
    try {
      assert.deepEqual(await prices(), [1, 1])
      price.mountsPrice = 5
      assert.deepEqual(await prices(), [1, 1], 'both cached')
      assert.equal((await fetch(`${base}/api/revalidate`, { method: 'POST' })).status, 200)
      assert.deepEqual(await prices(), [2, 2])
    } finally {
      await app.close()
    }
  })
})

describe('a revalidation the store does not take, with handle()', () => {
  test('rejects with RH_ERR_CACHE_REVALIDATE_FAILED (503); the response body is cancelled, after() callbacks run, close() settles', { timeout: 10_000 }, async () => {
    const seen = globalThis as { revalidatingAfterRan?: boolean; revalidatingCancelled?: boolean }
    const dir = tempRouteFolder({
      'revalidating/route.ts': [
        "import { after } from 'next/server'",
        "import { revalidateTag } from 'next/cache'",
        'export function POST() {',
        '  after(() => void ((globalThis as { revalidatingAfterRan?: boolean }).revalidatingAfterRan = true))',
        "  revalidateTag('posts', 'max')",
        '  return new Response(new ReadableStream({ cancel() { (globalThis as { revalidatingCancelled?: boolean }).revalidatingCancelled = true } }))',
        '}',
        '',
      ].join('\n'),
    })
    const routes = await createRouteHandlers({ dir, cache: { store: new BrokenStore('reject'), timeout: 100 }, logger: { warn() {}, error() {} } }).ready()
    await assert.rejects(routes.handle(new Request('http://localhost/revalidating', { method: 'POST' })), (error: unknown) => {
      assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_CACHE_REVALIDATE_FAILED' && error.status === 503, String(error))
      return true
    })
    await routes.close()
    assert.equal(seen.revalidatingAfterRan, true)
    assert.equal(seen.revalidatingCancelled, true)
  })
})

async function eventually(condition: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return true
    await sleep(20)
  }
  return false
}

describe('with dev reload on (next dev)', () => {
  test('route responses are not cached; force-static still sees the request stripped', async () => {
    const routes = await createRouteHandlers({ dir: CACHE_APP_DIR, reload: true, logger: { warn() {}, error() {} } }).ready()
    try {
      const first = await routes.handle(new Request('http://localhost/forever'))
      const second = await routes.handle(new Request('http://localhost/forever'))
      assert.equal(first?.headers.get('x-nextjs-cache'), null)
      assert.notEqual(await first?.text(), await second?.text())
      const stripped = (await (await routes.handle(new Request('http://localhost/static?query=1', { headers: { accept: 'x' } })))?.json()) as { headers: unknown }
      assert.equal(stripped.headers, null)
    } finally {
      await routes.close()
    }
  })
})
