/**
 * Several app instances on one Redis (issue 12): the cache engine of each instance with its own
 * Redis store (its own client), as instances behind a load balancer run. Entries, tag
 * revalidations and regeneration are shared; a Redis outage leaves every instance answering.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { CachedRouteValue } from '../lib/cache/cache-handler.ts'
import { IncrementalCache } from '../lib/cache/incremental-cache.ts'
import { redisCache } from '../lib/cache/redis/index.ts'
import type { RedisCacheHandler } from '../lib/cache/redis/redis-cache-handler.ts'
import { STORE_UNAVAILABLE } from '../lib/cache/store-guard.ts'
import { isRouteHandlersError } from '../lib/index.ts'
import { startRedisServer, type RedisServer } from './helpers/redis-server.ts'
import { expressTarget, fastifyTarget, type SocketTarget } from './helpers/targets.ts'

let server: RedisServer
const stores: RedisCacheHandler[] = []

before(async () => {
  server = await startRedisServer()
})

after(async () => {
  for (const store of stores) await store.close()
  await server.stop()
})

function recordingLogger() {
  const errors: unknown[] = []
  const notes: string[] = []
  return { errors, notes, logger: { warn: (m: string) => notes.push(m), info: (m: string) => notes.push(m), error: (_m: string, e?: unknown) => errors.push(e) } }
}

/** One instance's Redis store: its own client. */
function instanceStore(keyPrefix: string): RedisCacheHandler {
  const store = redisCache({ url: server.url }, { keyPrefix })
  stores.push(store)
  return store
}

/** One instance's cache engine, on its own Redis client. */
function engine(keyPrefix: string, logger = recordingLogger().logger): IncrementalCache {
  return new IncrementalCache({ store: instanceStore(keyPrefix), logger, timeoutMs: 1000 })
}

/** Asks `condition` again until it resolves true, for up to five seconds. */
async function eventuallyTrue(condition: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return true
    await sleep(50)
  }
  return false
}

function routeValue(text: string): CachedRouteValue {
  return { kind: 'APP_ROUTE', body: Buffer.from(text), status: 200, headers: { 'content-type': 'text/plain' } }
}

const forever = { revalidate: false as const, expire: undefined }

describe('two cache engines on one Redis', () => {
  test('what one instance cached, the other finds fresh', async () => {
    const [a, b] = [engine('engines-share:'), engine('engines-share:')]
    await a.setRoute('/api/products', routeValue('products'), { revalidate: 60, expire: undefined }, ['_N_T_/api/products'])
    const found = await b.getRoute('/api/products', { tags: ['_N_T_/api/products'], revalidate: 60 })
    assert.ok(found && found !== STORE_UNAVAILABLE)
    assert.equal(found.stale, false)
    assert.equal(found.value.body.toString(), 'products')
  })

  test("revalidateTag on one instance: the other's next lookup misses (no profile) or is stale ('max')", async () => {
    const [a, b] = [engine('engines-tags:'), engine('engines-tags:')]
    // Next.js keeps the tags a route used in the x-next-cache-tags header of its entry.
    const tagged = (text: string) => ({ ...routeValue(text), headers: { 'x-next-cache-tags': 'posts' } })
    await a.setRoute('/posts', tagged('v1'), forever, [])
    await a.revalidate([{ tag: 'posts', profile: 'max' }])
    const stale = await b.getRoute('/posts', { tags: [], revalidate: false })
    assert.ok(stale && stale !== STORE_UNAVAILABLE && stale.stale, 'stale on the other instance after a profile')
    await a.revalidate([{ tag: 'posts' }])
    assert.equal(await b.getRoute('/posts', { tags: [], revalidate: false }), null)
    await b.setRoute('/posts', tagged('v2'), forever, [])
    const fresh = await a.getRoute('/posts', { tags: [], revalidate: false })
    assert.ok(fresh && fresh !== STORE_UNAVAILABLE && !fresh.stale)
    assert.equal(fresh.value.body.toString(), 'v2')
  })

  test('one regeneration across instances: the lock admits one engine', async () => {
    const [a, b] = [engine('engines-lock:'), engine('engines-lock:')]
    const taken = await Promise.all([a.lockRegeneration('/k', 30_000), b.lockRegeneration('/k', 30_000)])
    assert.deepEqual(taken.toSorted(), [false, true])
    await (taken[0] ? a : b).unlockRegeneration('/k')
    assert.equal(await b.lockRegeneration('/k', 30_000), true)
    await b.unlockRegeneration('/k')
  })

  test('a regeneration that outlasts the lock keeps it, renewed, until it stops or for its longest time; then another engine may take it (trial)', async () => {
    const [a, b] = [engine('engines-renew:'), engine('engines-renew:')]
    assert.equal(await a.lockRegeneration('/k', 1000), true)
    const stop = a.keepRegenerationLock('/k', 1000, 60_000)
    // Twice the lock's time to live and more: held all along.
    for (let check = 0; check < 3; check++) {
      await sleep(800)
      assert.equal(await b.lockRegeneration('/k', 1000), false)
    }
    stop()
    assert.ok(await eventuallyTrue(() => b.lockRegeneration('/k', 30_000)))
    await b.unlockRegeneration('/k')
    // One that hangs is renewed for its longest time only.
    assert.equal(await a.lockRegeneration('/hung', 1000), true)
    a.keepRegenerationLock('/hung', 1000, 1500)
    assert.equal(await b.lockRegeneration('/hung', 1000), false)
    assert.ok(await eventuallyTrue(() => b.lockRegeneration('/hung', 30_000)))
    await b.unlockRegeneration('/hung')
  })

  test('Redis down: lookups are unavailable at once, the outage logged once per engine, the recovery logged; entries shared again after', async () => {
    const recorded = recordingLogger()
    const [a, b] = [engine('engines-outage:', recorded.logger), engine('engines-outage:')]
    await a.setRoute('/k', routeValue('v'), forever, [])
    await server.kill()
    for (let i = 0; i < 20; i++) assert.equal(await a.getRoute('/k', { tags: [], revalidate: false }), STORE_UNAVAILABLE)
    assert.equal(await a.setRoute('/k', routeValue('v'), forever, []), false)
    assert.equal(await b.getRoute('/k', { tags: [], revalidate: false }), STORE_UNAVAILABLE)
    assert.equal(recorded.errors.length, 1, 'logged once for the whole outage')
    const [error] = recorded.errors
    assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_CACHE_REDIS_UNAVAILABLE', String(error))

    await server.restart()
    // Each client reconnects on its own, with backoff: until it has, its engine goes on uncached.
    while ((await a.setRoute('/k', routeValue('back'), forever, [])) === false) await sleep(50)
    let found = await b.getRoute('/k', { tags: [], revalidate: false })
    while (found === STORE_UNAVAILABLE) {
      await sleep(50)
      found = await b.getRoute('/k', { tags: [], revalidate: false })
    }
    assert.ok(found)
    assert.equal(found.value.body.toString(), 'back')
    assert.equal(recorded.errors.length, 1)
    assert.match(recorded.notes.join('\n'), /answers again/)
  })
})

const REDIS_APP = fileURLToPath(new URL('./fixtures/redis-app', import.meta.url))

describe('two apps on one Redis: instance A on Express, instance B on Fastify', () => {
  let a: SocketTarget
  let b: SocketTarget
  const logA = recordingLogger()

  before(async () => {
    // The database both instances read (the fixture's _lib/db.ts), fresh for this run.
    process.env.REDIS_APP_DB = join(mkdtempSync(join(tmpdir(), 'route-handlers-redis-app-')), 'db.json')
    a = await expressTarget('', REDIS_APP, { cache: { store: instanceStore('apps:') }, logger: logA.logger })
    b = await fastifyTarget('', REDIS_APP, { cache: { store: instanceStore('apps:') } })
  })

  after(async () => {
    await a.close()
    await b.close()
  })

  async function get(target: SocketTarget, path: string): Promise<{ cache: string | null; body: Record<string, number> }> {
    const response = await target.send(path)
    assert.equal(response.status, 200, path)
    return { cache: response.headers.get('x-nextjs-cache'), body: (await response.json()) as Record<string, number> }
  }

  test('B answers HIT with what A generated', async () => {
    const first = await get(a, '/products')
    assert.equal(first.cache, 'MISS')
    const second = await get(b, '/products')
    assert.equal(second.cache, 'HIT')
    assert.deepEqual(second.body, first.body)
    assert.deepEqual(await get(a, '/products'), second)
  })

  test('revalidateTag in a POST on B: A answers fresh on its next request, then both HIT', async () => {
    await get(a, '/products')
    const update = await b.send('/price', { method: 'POST', body: JSON.stringify({ price: 12 }), headers: { 'content-type': 'application/json' } })
    assert.equal(update.status, 200)
    const fresh = await get(a, '/products')
    assert.equal(fresh.cache, 'MISS')
    assert.equal(fresh.body.price, 12)
    assert.deepEqual(await get(b, '/products'), { cache: 'HIT', body: fresh.body })
  })

  // Trial (three Next.js cache handlers and the Redis store): the lowered value was kept only by
  // the instance that wrote the entry; the other served it as HIT, `s-maxage=60`, for a minute.
  test("a revalidate an unstable_cache lowered holds on every instance: B's HIT says it and goes stale with it", async () => {
    const lowered = 's-maxage=1, stale-while-revalidate=31535999'
    const first = await a.send('/lowered')
    assert.equal(first.headers.get('x-nextjs-cache'), 'MISS')
    assert.equal(first.headers.get('cache-control'), lowered)
    const hit = await b.send('/lowered')
    assert.equal(hit.headers.get('x-nextjs-cache'), 'HIT')
    assert.equal(hit.headers.get('cache-control'), lowered)
    assert.equal(hit.headers.get('x-route-handlers-cache-control'), null, 'kept in the entry, never sent')
    while ((await b.send('/lowered')).headers.get('x-nextjs-cache') !== 'STALE') await sleep(100)
  })

  test('stale-while-revalidate: stale requests on both instances, one regeneration across them', async () => {
    const first = await get(a, '/slow')
    assert.equal(first.cache, 'MISS')
    const runsBefore = first.body.run!
    // revalidate = 1: wait until the entry has gone stale.
    for (;;) {
      const { cache } = await get(b, '/slow')
      if (cache === 'STALE') break
      assert.equal(cache, 'HIT')
      await sleep(100)
    }
    // That STALE started a regeneration; more stale requests on both instances meanwhile join none.
    const during = await Promise.all([a, b, a, b, a, b].map((target) => get(target, '/slow')))
    for (const { cache, body } of during) {
      assert.ok(cache === 'STALE' || cache === 'HIT', String(cache))
      assert.ok(body.run === runsBefore || body.run === runsBefore + 1)
    }
    // Once regenerated, both instances serve the new entry, and it was generated once. (Counted at
    // once: a second later the entry is stale again, and the next request regenerates it anew.)
    for (;;) {
      const { cache, body } = await get(a, '/slow')
      if (cache === 'HIT' && body.run === runsBefore + 1) break
      await sleep(50)
    }
    const { slowRuns } = JSON.parse(readFileSync(process.env.REDIS_APP_DB!, 'utf8')) as { slowRuns: number }
    assert.equal(slowRuns, runsBefore + 1, 'one regeneration for both instances')
    assert.deepEqual((await get(b, '/slow')).body, { run: runsBefore + 1 })
  })

  test('Redis killed mid-run: both instances keep answering (uncached, logged once); they share entries again when it returns', async () => {
    await get(a, '/products')
    await server.kill()
    for (let i = 0; i < 3; i++) {
      for (const target of [a, b]) {
        const { cache, body } = await get(target, '/products')
        assert.equal(cache, null, 'answered uncached: no x-nextjs-cache')
        assert.equal(body.price, 12)
      }
    }
    assert.equal(logA.errors.length, 1, 'the outage is logged once')

    await server.restart()
    // Each client reconnects on its own, with backoff; until it has, its instance answers uncached.
    while ((await get(a, '/products')).cache !== 'MISS') await sleep(50)
    let fromB = await get(b, '/products')
    while (fromB.cache === null) {
      await sleep(50)
      fromB = await get(b, '/products')
    }
    assert.equal(fromB.cache, 'HIT', 'B serves the entry A wrote after the restart')
  })
})
