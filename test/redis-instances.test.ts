/**
 * Several app instances on one Redis (issue 12): the cache engine of each instance with its own
 * Redis store (its own client), as instances behind a load balancer run. Entries, tag
 * revalidations and regeneration are shared; a Redis outage leaves every instance answering.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { CachedRouteValue } from '../lib/cache/cache-handler.ts'
import { IncrementalCache } from '../lib/cache/incremental-cache.ts'
import { redisCache } from '../lib/cache/redis/index.ts'
import type { RedisCacheHandler } from '../lib/cache/redis/redis-cache-handler.ts'
import { STORE_UNAVAILABLE } from '../lib/cache/store-guard.ts'
import { isRouteHandlersError } from '../lib/index.ts'
import { startRedisServer, type RedisServer } from './helpers/redis-server.ts'

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

/** One instance's cache engine, on its own Redis client. */
function engine(keyPrefix: string, logger = recordingLogger().logger): IncrementalCache {
  const store = redisCache({ url: server.url }, { keyPrefix })
  stores.push(store)
  return new IncrementalCache({ store, logger, timeoutMs: 1000 })
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
    // The client reconnects with backoff: the first lookups after the restart may still miss it.
    while ((await a.setRoute('/k', routeValue('back'), forever, [])) === false) await new Promise((resolve) => setTimeout(resolve, 50))
    const found = await b.getRoute('/k', { tags: [], revalidate: false })
    assert.ok(found && found !== STORE_UNAVAILABLE)
    assert.equal(found.value.body.toString(), 'back')
    assert.equal(recorded.errors.length, 1)
    assert.match(recorded.notes.join('\n'), /answers again/)
  })
})
