import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CacheHandler, CacheHandlerValue, CachedRouteValue } from '../lib/cache/cache-handler.ts'
import { createIncrementalCache } from '../lib/cache/cache-options.ts'
import { IncrementalCache } from '../lib/cache/incremental-cache.ts'
import { MemoryCacheHandler } from '../lib/cache/memory-cache-handler.ts'
import { STORE_UNAVAILABLE, StoreGuard } from '../lib/cache/store-guard.ts'
import { preciseNow } from '../lib/cache/tags-manifest.ts'
import { isRouteHandlersError, routeHandlersError } from '../lib/errors.ts'

const CONTEXT = { revalidatedTags: [], _requestHeaders: {} }

function routeValue(text: string): CachedRouteValue {
  return { kind: 'APP_ROUTE', body: Buffer.from(text), status: 200, headers: { 'content-type': 'text/plain' } }
}

function recordingLogger() {
  const errors: unknown[] = []
  const notes: string[] = []
  return { errors, notes, logger: { warn: (m: string) => notes.push(m), info: (m: string) => notes.push(m), error: (_m: string, e?: unknown) => errors.push(e) } }
}

/** A store whose every call fails until `healthy` is set (a Redis that went away). */
class FlakyStore implements CacheHandler {
  healthy = false
  hang = false
  readonly memory = new MemoryCacheHandler(CONTEXT)
  #check(): Promise<void> {
    if (this.hang) return new Promise(() => {})
    return this.healthy ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))
  }
  async get(key: string): Promise<CacheHandlerValue | null> {
    await this.#check()
    return this.memory.get(key)
  }
  async set(key: string, value: CachedRouteValue | null): Promise<void> {
    await this.#check()
    return this.memory.set(key, value)
  }
  async revalidateTag(tags: string | string[]): Promise<void> {
    await this.#check()
    return this.memory.revalidateTag(tags)
  }
}

describe('memory store', () => {
  test('evicts the least recently used entries once the bytes exceed maxMemoryCacheSize', async () => {
    const store = new MemoryCacheHandler({ ...CONTEXT, maxMemoryCacheSize: 3000 })
    await store.set('/a', routeValue('a'.repeat(1000)))
    await store.set('/b', routeValue('b'.repeat(1000)))
    await store.get('/a') // /a is now the most recent
    await store.set('/c', routeValue('c'.repeat(1000)))
    assert.ok(store.bytes <= 3000)
    assert.equal(await store.get('/b'), null)
    assert.ok(await store.get('/a'))
    assert.ok(await store.get('/c'))
  })

  test('an entry larger than the whole budget is not kept, and evicts nothing', async () => {
    const store = new MemoryCacheHandler({ ...CONTEXT, maxMemoryCacheSize: 2000 })
    await store.set('/small', routeValue('x'))
    await store.set('/huge', routeValue('y'.repeat(5000)))
    assert.equal(await store.get('/huge'), null)
    assert.ok(await store.get('/small'))
  })

  test('regeneration locks: one holder at a time until unlocked', async () => {
    const store = new MemoryCacheHandler(CONTEXT)
    assert.equal(await store.lockRegeneration('/k', 10_000), true)
    assert.equal(await store.lockRegeneration('/k', 10_000), false)
    await store.unlockRegeneration('/k')
    assert.equal(await store.lockRegeneration('/k', 10_000), true)
  })
})

describe('cache engine', () => {
  const quiet = { warn() {}, error() {} }

  test('an entry is fresh, then stale once older than revalidate', async () => {
    const store = new MemoryCacheHandler(CONTEXT)
    const cache = new IncrementalCache({ store, logger: quiet, timeoutMs: 1000 })
    await cache.setRoute('/a', routeValue('one'), { revalidate: 1, expire: undefined }, [])
    const fresh = await cache.getRoute('/a', { tags: [], revalidate: 1 })
    assert.ok(fresh && fresh !== STORE_UNAVAILABLE)
    assert.equal(fresh.stale, false)
    await sleep(1100)
    const stale = await cache.getRoute('/a', { tags: [], revalidate: 1 })
    assert.ok(stale && stale !== STORE_UNAVAILABLE)
    assert.equal(stale.stale, true)
  })

  test('revalidateTag without a profile expires the entry; with "max" it becomes stale', async () => {
    for (const store of [new MemoryCacheHandler(CONTEXT), new FlakyStore()]) {
      if (store instanceof FlakyStore) store.healthy = true
      const cache = new IncrementalCache({ store, logger: quiet, timeoutMs: 1000 })
      await cache.setRoute('/a', routeValue('a'), { revalidate: false, expire: undefined }, ['posts'])
      await cache.setRoute('/b', { ...routeValue('b'), headers: { 'x-next-cache-tags': 'posts' } }, { revalidate: false, expire: undefined }, [])
      await sleep(2)
      await cache.revalidate([{ tag: 'posts', profile: 'max' }])
      const a = await cache.getRoute('/a', { tags: ['posts'], revalidate: false })
      assert.ok(a && a !== STORE_UNAVAILABLE && a.stale, `stale after a profile (${store.constructor.name})`)
      await cache.revalidate([{ tag: 'posts' }])
      assert.equal(await cache.getRoute('/a', { tags: ['posts'], revalidate: false }), null)
      // The tags stored with the entry (Next's x-next-cache-tags header) count too.
      assert.equal(await cache.getRoute('/b', { tags: [], revalidate: false }), null)
    }
  })

  test('getWithTagRevalidations: used with tagRevalidations and the get() of the same class; its tag state is the one judged', async () => {
    // A store reading the entry and its tags' state together, where the state it reports is its own.
    class TogetherStore extends MemoryCacheHandler {
      reads = { together: 0, apart: 0 }
      reported = new Map<string, { expired?: number; stale?: number }>()
      async getWithTagRevalidations(key: string) {
        this.reads.together++
        const entry = await super.get(key)
        return entry ? { entry, tagRevalidations: this.reported } : null
      }
      override async get(key: string) {
        this.reads.apart++
        return super.get(key)
      }
      override async tagRevalidations() {
        return this.reported
      }
    }
    const store = new TogetherStore(CONTEXT)
    const cache = new IncrementalCache({ store, logger: quiet, timeoutMs: 1000 })
    await cache.setRoute('/a', routeValue('a'), { revalidate: false, expire: undefined }, ['t'])
    assert.ok(await cache.getRoute('/a', { tags: ['t'], revalidate: false }))
    // On the cache's own clock (entries are stamped with it): Date.now() can stand a few ms apart.
    store.reported.set('t', { expired: preciseNow() + 1 })
    await sleep(5)
    assert.equal(await cache.getRoute('/a', { tags: ['t'], revalidate: false }), null, 'the state read with the entry expires it')
    assert.deepEqual(store.reads, { together: 2, apart: 0 })

    // A subclass overriding get() (a layer of its own) is read through its get().
    class Layered extends TogetherStore {
      override async get(key: string) {
        this.reads.apart++
        return null
      }
    }
    const layered = new Layered(CONTEXT)
    const layeredCache = new IncrementalCache({ store: layered, logger: quiet, timeoutMs: 1000 })
    await layeredCache.setRoute('/a', routeValue('a'), { revalidate: false, expire: undefined }, [])
    assert.equal(await layeredCache.getRoute('/a', { tags: [], revalidate: false }), null)
    assert.deepEqual(layered.reads, { together: 0, apart: 1 })

    // Without tagRevalidations the tag state is this process's, which the store's answer lacks.
    const bare = new MemoryCacheHandler(CONTEXT)
    const getOnly: CacheHandler = {
      get: (key) => bare.get(key),
      set: (key, value) => bare.set(key, value),
      revalidateTag: (tags) => bare.revalidateTag(tags),
      getWithTagRevalidations: async (key) => {
        const entry = await bare.get(key)
        return entry ? { entry, tagRevalidations: new Map() } : null
      },
    }
    const localCache = new IncrementalCache({ store: getOnly, logger: quiet, timeoutMs: 1000 })
    await localCache.setRoute('/a', routeValue('a'), { revalidate: false, expire: undefined }, ['t'])
    await sleep(2)
    await localCache.revalidate([{ tag: 't' }])
    assert.equal(await localCache.getRoute('/a', { tags: ['t'], revalidate: false }), null, "this process's revalidation counts")
  })

  test("an unknown profile logs Next.js's error and skips its tag; the others are applied", async () => {
    const { logger, errors } = recordingLogger()
    const cache = createIncrementalCache(undefined, logger)
    await cache.setRoute('/a', routeValue('a'), { revalidate: false, expire: undefined }, ['t'])
    await cache.setRoute('/b', routeValue('b'), { revalidate: false, expire: undefined }, ['u'])
    await sleep(2)
    await cache.revalidate([{ tag: 't', profile: 'fortnight' }, { tag: 'u' }])
    assert.match(String(errors.join('\n')), /Invalid profile provided "fortnight"/)
    assert.notEqual(await cache.getRoute('/a', { tags: ['t'], revalidate: false }), null, 'the tag under the unknown profile is left alone')
    assert.equal(await cache.getRoute('/b', { tags: ['u'], revalidate: false }), null)
  })

  test('a failing store makes lookups unavailable, logged once per outage, and its recovery logged', async () => {
    const store = new FlakyStore()
    const { logger, errors, notes } = recordingLogger()
    const cache = new IncrementalCache({ store, logger, timeoutMs: 1000 })
    assert.equal(await cache.getRoute('/a', { tags: [], revalidate: 1 }), STORE_UNAVAILABLE)
    assert.equal(await cache.setRoute('/a', routeValue('a'), { revalidate: 1, expire: undefined }, []), false)
    // A revalidation is not dropped unnoticed: it rejects, for the request to fail (503).
    await assert.rejects(cache.revalidate([{ tag: 'x' }, { tag: 'y' }]), (error: unknown) => {
      assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_CACHE_REVALIDATE_FAILED' && error.status === 503)
      assert.match(error.message, /the tags "x", "y" \(ECONNREFUSED\)/)
      return true
    })
    assert.equal(errors.length, 1)
    assert.ok(isRouteHandlersError(errors[0]) || errors[0] instanceof Error)
    store.healthy = true
    assert.equal(await cache.getRoute('/a', { tags: [], revalidate: 1 }), null)
    assert.equal(notes.length, 1)
    store.healthy = false
    assert.equal(await cache.getRoute('/a', { tags: [], revalidate: 1 }), STORE_UNAVAILABLE)
    assert.equal(errors.length, 2, 'a second outage is logged again')
  })

  test("an entry not in Next's shape is a miss, warned about once; a body serialized as JSON is bytes again", async () => {
    const bare = new MemoryCacheHandler(CONTEXT)
    const { logger, notes } = recordingLogger()
    // A store keeping entries as JSON strings (as @neshca/cache-handler's Redis handlers do).
    const malformed: Record<string, CacheHandlerValue> = {
      '/b': { lastModified: Date.now(), value: { ...routeValue('x'), body: 'not bytes' as unknown as Buffer } },
      '/c': { lastModified: Date.now(), value: { kind: 'FETCH', data: { headers: {}, body: { not: 'base64' } as unknown as string, url: '' }, revalidate: 60 } },
    }
    const json: CacheHandler = {
      get: async (key) => {
        if (malformed[key]) return malformed[key]
        const entry = await bare.get(key)
        return entry ? (JSON.parse(JSON.stringify(entry)) as CacheHandlerValue) : null
      },
      set: (key, value) => bare.set(key, value),
      revalidateTag: (tags) => bare.revalidateTag(tags),
    }
    const cache = new IncrementalCache({ store: json, logger, timeoutMs: 1000 })
    await cache.setRoute('/a', routeValue('héllo'), { revalidate: false, expire: undefined }, [])
    const revived = await cache.getRoute('/a', { tags: [], revalidate: false })
    assert.ok(revived && revived !== STORE_UNAVAILABLE)
    assert.ok(Buffer.isBuffer(revived.value.body))
    assert.equal(revived.value.body.toString(), 'héllo')

    assert.equal(await cache.getRoute('/b', { tags: [], revalidate: false }), null)
    assert.equal(await cache.getFetch('/c', { tags: [], softTags: [], revalidate: 60 }), null)
    assert.equal(notes.length, 1)
    assert.match(notes[0]!, /not in Next\.js's shape/)
  })

  test('a store call that never settles is given up after the timeout', async () => {
    const store = new FlakyStore()
    store.hang = true
    const { logger, errors } = recordingLogger()
    const cache = createIncrementalCache({ store, timeout: 50 }, logger)
    assert.equal(await cache.getRoute('/a', { tags: [], revalidate: 1 }), STORE_UNAVAILABLE)
    assert.equal(errors.length, 1)
    assert.ok(isRouteHandlersError(errors[0]) && errors[0].code === 'RH_ERR_CACHE_STORE_TIMEOUT')
  })

  test('single flight: concurrent callers for one key share one run', async () => {
    const cache = createIncrementalCache(undefined, quiet)
    let runs = 0
    const work = async () => {
      runs++
      await sleep(10)
      return runs
    }
    const results = await Promise.all([cache.singleFlight('/k', work), cache.singleFlight('/k', work), cache.singleFlight('/k', work)])
    assert.deepEqual(results, [1, 1, 1])
    assert.equal(await cache.singleFlight('/k', work), 2)
  })

  test('the option: a class is constructed with a Next.js CacheHandlerContext; a bad store or size fails at start-up', () => {
    let received: unknown
    class Handler extends MemoryCacheHandler {
      constructor(context: ConstructorParameters<typeof MemoryCacheHandler>[0]) {
        super(context)
        received = context
      }
    }
    const cache = createIncrementalCache({ store: Handler, maxBytes: 1234 }, quiet)
    assert.ok(cache.store instanceof Handler)
    assert.equal((received as { maxMemoryCacheSize: number }).maxMemoryCacheSize, 1234)
    assert.deepEqual((received as { revalidatedTags: string[] }).revalidatedTags, [])
    for (const bad of [{ store: {} }, { maxBytes: -1 }, { timeout: 0 }]) {
      assert.throws(() => createIncrementalCache(bad as never, quiet), (error) => isRouteHandlersError(error) && error.code === 'RH_ERR_OPTIONS_INVALID')
    }
    // Next 16's cacheHandlers entry (its docs' shape, for "use cache"): said what it is.
    const useCacheHandler = { get: async () => undefined, set: async () => {}, refreshTags: async () => {}, getExpiration: async () => 0, updateTags: async () => {} }
    assert.throws(() => createIncrementalCache({ store: useCacheHandler } as never, quiet), /one of Next 16's cacheHandlers \(for "use cache"\), which are not accepted/)
  })
})

// A trial: in production a Redis outage was logged as "Internal Server Error
// (RH_ERR_CACHE_STORE_FAILED); the server log has the details." in the server log itself, naming
// neither Redis nor what failed, while no request failed.
test('a store outage is logged with its full text in production, naming what failed', async () => {
  const previous = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  const logged: string[] = []
  try {
    const guard = new StoreGuard({ warn() {}, error: (message) => void logged.push(message) }, 1000)
    const outage = routeHandlersError('RH_ERR_CACHE_REDIS_UNAVAILABLE', ['redis://127.0.0.1:6390', 'connection refused'])
    assert.match(outage.message, /^Internal Server Error/)
    assert.equal(await guard.call('get', () => Promise.reject(outage)), STORE_UNAVAILABLE)
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previous
  }
  assert.equal(logged.length, 1)
  assert.match(logged[0]!, /^route-handlers: The cache store failed \(get: The Redis cache store \(redis:\/\/127\.0\.0\.1:6390\) did not answer: connection refused\./)
  assert.doesNotMatch(logged[0]!, /Internal Server Error/)
})
