/**
 * The Redis cache store against a real redis-server (issue 12): two stores on one Redis stand for
 * two app instances. Entries, tag revalidations and the regeneration lock are shared; an outage
 * makes every call reject (no hang, no crash, no unhandled rejection) and the store recovers on
 * its own when Redis is back.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import type { CachedFetchValue, CachedRouteValue, CacheHandlerValue } from '../lib/cache/cache-handler.ts'
import { RedisCacheHandler, redisCache, redisCacheHandlerClass } from '../lib/cache/redis/index.ts'
import { IncrementalCache } from '../lib/cache/incremental-cache.ts'
import { isRouteHandlersError } from '../lib/index.ts'
import { startRedisServer, type RedisServer } from './helpers/redis-server.ts'

const unhandled: unknown[] = []
process.on('unhandledRejection', (reason) => unhandled.push(reason))

let server: RedisServer
/** A plain client of the test's own, to look at what the stores wrote. */
let inspector: ReturnType<typeof createClient>
const stores: RedisCacheHandler[] = []

before(async () => {
  server = await startRedisServer()
  inspector = createClient({ url: server.url })
  inspector.on('error', () => {})
  await inspector.connect()
})

after(async () => {
  for (const store of stores) await store.close()
  inspector.destroy()
  await server.stop()
  assert.deepEqual(unhandled, [], 'no unhandled rejection')
})

/** A store with its own client: one app instance. Each test gets its own key prefix. */
function instance(keyPrefix: string): RedisCacheHandler {
  const store = redisCache({ url: server.url }, { keyPrefix })
  stores.push(store)
  return store
}

function routeValue(body: Buffer, headers: CachedRouteValue['headers'] = {}): CachedRouteValue {
  return { kind: 'APP_ROUTE', body, status: 201, headers: { 'content-type': 'application/octet-stream', ...headers } }
}

const routeGet = (tags?: string[]) => ({ kind: 'APP_ROUTE' as const, isFallback: false, ...(tags && { tags }) })
const routeSet = (expire?: number, tags?: string[]) => ({ cacheControl: { revalidate: 60, expire }, ...(tags && { tags }) })

function assertUnavailable(error: unknown): true {
  assert.ok(isRouteHandlersError(error), String(error))
  assert.equal(error.code, 'RH_ERR_CACHE_REDIS_UNAVAILABLE')
  return true
}

/** Every byte value, a line break and a NUL among them: the body must come back as it went in. */
const binaryBody = Buffer.concat([Buffer.from([0, 10, 13, 255, 254]), Buffer.from(Array.from({ length: 256 }, (_, i) => i))])

describe('redis store: two instances on one Redis', () => {
  test('an entry set by one instance is read by the other, body bytes and headers intact', async () => {
    const [a, b] = [instance('share:'), instance('share:')]
    await a.set('/api/data', routeValue(binaryBody, { 'x-custom': ['one', 'two'] }), routeSet(3600))
    const entry = (await b.get('/api/data', routeGet())) as CacheHandlerValue
    const value = entry.value as CachedRouteValue
    assert.equal(value.kind, 'APP_ROUTE')
    assert.equal(value.status, 201)
    assert.deepEqual(value.headers, { 'content-type': 'application/octet-stream', 'x-custom': ['one', 'two'] })
    assert.ok(Buffer.isBuffer(value.body))
    assert.deepEqual(value.body, binaryBody)
    assert.equal(typeof entry.lastModified, 'number')
    assert.equal(await b.get('/api/other', routeGet()), null)
  })

  test('a fetch entry (Next.js CachedFetchValue) round-trips, with the tags it was set with', async () => {
    const [a, b] = [instance('fetch:'), instance('fetch:')]
    const value: CachedFetchValue = {
      kind: 'FETCH',
      data: { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":1}').toString('base64'), url: 'https://example.com/a', status: 200 },
      revalidate: 30,
    }
    await a.set('fetch-key', value, { fetchCache: true, tags: ['products'] })
    const entry = await b.get('fetch-key', { kind: 'FETCH', tags: ['products'] })
    assert.deepEqual(entry?.value, { ...value, tags: ['products'] })
  })

  test('set(key, null) removes the entry', async () => {
    const [a, b] = [instance('null:'), instance('null:')]
    await a.set('k', routeValue(Buffer.from('x')), routeSet(60))
    await b.set('k', null, routeSet(60))
    assert.equal(await a.get('k', routeGet()), null)
  })

  test("the entry's Redis TTL is its expire; without one, Next's default expireTime (one year)", async () => {
    const a = instance('ttl:')
    await a.set('route', routeValue(Buffer.from('x')), routeSet(120))
    const routeTtl = await inspector.pTTL('ttl:entry:route')
    assert.ok(routeTtl > 0 && routeTtl <= 120_000, String(routeTtl))
    await a.set('fetch', { kind: 'FETCH', data: { headers: {}, body: '', url: 'u' }, revalidate: 10 }, { fetchCache: true })
    const fetchTtl = await inspector.pTTL('ttl:entry:fetch')
    assert.ok(fetchTtl > 120_000 && fetchTtl <= 365 * 24 * 3600 * 1000, String(fetchTtl))
  })

  test('revalidateTag on one instance expires the entry for the other (tags from ctx, the tags header, soft tags)', async () => {
    const [a, b] = [instance('tags:'), instance('tags:')]
    await a.set('by-ctx', routeValue(Buffer.from('1')), routeSet(3600, ['products']))
    await a.set('by-header', routeValue(Buffer.from('2'), { 'x-next-cache-tags': 'orders,_N_T_/api/orders' }), routeSet(3600))
    await a.set('by-soft', routeValue(Buffer.from('3')), routeSet(3600))
    await a.set('untouched', routeValue(Buffer.from('4')), routeSet(3600, ['other']))

    await a.revalidateTag('products')
    await a.revalidateTag(['_N_T_/api/orders'])
    await a.revalidateTag('_N_T_/api/soft')

    assert.equal(await b.get('by-ctx', routeGet()), null)
    assert.equal(await b.get('by-header', routeGet()), null)
    assert.notEqual(await b.get('by-soft', routeGet()), null, 'the soft tag is not stored with the entry')
    assert.equal(await b.get('by-soft', { ...routeGet(), softTags: ['_N_T_/api/soft'] }), null, 'soft tags come with the read')
    assert.notEqual(await b.get('untouched', routeGet()), null)

    const states = await b.tagRevalidations(['products', 'orders', 'other'])
    assert.deepEqual([...states.keys()], ['products'])
    assert.equal(typeof states.get('products')?.expired, 'number')
    assert.equal(states.get('products')?.stale, undefined)
  })

  test('an entry set after the revalidation is served again', async () => {
    const [a, b] = [instance('after:'), instance('after:')]
    await a.set('k', routeValue(Buffer.from('old')), routeSet(3600, ['t']))
    await b.revalidateTag('t')
    assert.equal(await a.get('k', routeGet()), null)
    await a.set('k', routeValue(Buffer.from('new')), routeSet(3600, ['t']))
    assert.deepEqual(((await b.get('k', routeGet()))?.value as CachedRouteValue).body, Buffer.from('new'))
  })

  test("Next 16 durations: revalidateTag(tag, { expire }) marks stale now and expires later; the entry is still served", async () => {
    const [a, b] = [instance('durations:'), instance('durations:')]
    await a.set('k', routeValue(Buffer.from('v')), routeSet(3600, ['soon', 'later']))
    await a.revalidateTag('soon', {})
    await a.revalidateTag(['later'], { expire: 3600 })
    const entry = await b.get('k', routeGet())
    assert.notEqual(entry, null, 'stale entries stay readable: the cache serves them while it regenerates')
    const states = await b.tagRevalidations(['soon', 'later', 'soon'])
    const soon = states.get('soon')
    const later = states.get('later')
    assert.ok(soon?.stale && soon.expired === undefined, JSON.stringify(soon))
    assert.ok(later?.stale && later.expired, JSON.stringify(later))
    assert.ok(later.expired > later.stale && soon.stale >= entry!.lastModified!)
    assert.equal(Math.round(later.expired - later.stale), 3_600_000)
  })

  test('getWithTagRevalidations: the entry and its tags\' state in one read, as get() and tagRevalidations() give them apart', async () => {
    const [a, b] = [instance('together:'), instance('together:')]
    await a.set('k', routeValue(Buffer.from('v'), { 'x-next-cache-tags': 'header-tag' }), routeSet(3600, ['stored']))
    await a.revalidateTag('stored', { expire: 3600 })
    await a.revalidateTag('soft', {})
    const found = await b.getWithTagRevalidations('k', { ...routeGet(['asked']), softTags: ['soft'] })
    assert.ok(found)
    assert.deepEqual(found.entry, await b.get('k', routeGet()))
    assert.deepEqual(found.tagRevalidations, await b.tagRevalidations(['stored', 'header-tag', 'asked', 'soft']))
    assert.deepEqual([...found.tagRevalidations.keys()].sort(), ['soft', 'stored'])
    assert.equal(await b.getWithTagRevalidations('missing', routeGet()), null)
    await a.revalidateTag('asked')
    assert.equal(await b.getWithTagRevalidations('k', routeGet(['asked'])), null, 'an expired tag hides the entry, as get() does')
  })

  test('scripts go by their SHA-1, and are sent again after Redis forgot them (SCRIPT FLUSH, a restart)', async () => {
    const [a, b] = [instance('flush:'), instance('flush:')]
    await a.set('k', routeValue(Buffer.from('v')), routeSet(3600, ['t']))
    const calls = async (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(String(await inspector.sendCommand(['INFO', 'commandstats'])))?.[1] ?? 0)
    const [evals, evalshas] = [await calls('eval'), await calls('evalsha')]
    for (let read = 0; read < 5; read++) assert.notEqual(await b.get('k', routeGet()), null)
    assert.equal(await calls('eval'), evals, 'the source is not sent again while Redis has it')
    assert.equal(await calls('evalsha'), evalshas + 5, 'one command per read')
    await inspector.sendCommand(['SCRIPT', 'FLUSH'])
    assert.deepEqual(((await b.get('k', routeGet()))?.value as CachedRouteValue).body, Buffer.from('v'))
    await inspector.sendCommand(['SCRIPT', 'FLUSH'])
    await b.revalidateTag('t')
    assert.equal(await a.get('k', routeGet()), null)
  })

  test('a Redis that takes a command and never answers (frozen): the call fails after commandTimeoutMs, and works again after', async () => {
    const store = redisCache({ url: server.url }, { keyPrefix: 'frozen:', commandTimeoutMs: 200 })
    stores.push(store)
    await store.set('k', routeValue(Buffer.from('v')), routeSet(3600))
    server.freeze()
    try {
      await assert.rejects(store.get('k', routeGet()), (error: unknown) => assertUnavailable(error) && /no answer within 200 ms/.test((error as Error).message))
    } finally {
      server.thaw()
    }
    assert.notEqual(await store.get('k', routeGet()), null)
  })

  test('an error reply meaning Redis cannot serve now (READONLY: a replica) counts as unavailable', async () => {
    const store = instance('readonly:')
    await inspector.sendCommand(['REPLICAOF', '127.0.0.1', '1'])
    try {
      await assert.rejects(store.set('k', routeValue(Buffer.from('v')), routeSet(3600)), (error: unknown) => assertUnavailable(error) && /READONLY/.test((error as Error).message))
    } finally {
      await inspector.sendCommand(['REPLICAOF', 'NO', 'ONE'])
    }
    await store.set('k', routeValue(Buffer.from('v')), routeSet(3600))
  })

  test('an error Redis answers (a key of the wrong type) is passed on as it is, not as an outage', async () => {
    const store = instance('wrongtype:')
    await store.set('k', routeValue(Buffer.from('v')), routeSet(3600, ['t']))
    await inspector.set('wrongtype:tags', 'not a hash')
    await assert.rejects(store.get('k', routeGet()), (error: Error) => {
      assert.ok(!isRouteHandlersError(error), String(error))
      assert.match(error.message, /WRONGTYPE/)
      return true
    })
  })

  test('revalidateTag with { expire: 0 } expires at once (the due time is now)', async () => {
    const [a, b] = [instance('expire0:'), instance('expire0:')]
    await a.set('k', routeValue(Buffer.from('v')), routeSet(3600, ['t']))
    await a.revalidateTag('t', { expire: 0 })
    assert.equal(await b.get('k', routeGet()), null)
  })

  test('the regeneration lock admits one of two instances, and only its holder releases it', async () => {
    const [a, b] = [instance('lock:'), instance('lock:')]
    const results = await Promise.all([a.lockRegeneration('key', 30_000), b.lockRegeneration('key', 30_000)])
    assert.deepEqual(results.toSorted(), [false, true])
    const [holder, other] = results[0] ? [a, b] : [b, a]
    await other.unlockRegeneration('key')
    assert.equal(await other.lockRegeneration('key', 30_000), false, 'a release by the non-holder does nothing')
    const ttl = await inspector.pTTL('lock:lock:key')
    assert.ok(ttl > 0 && ttl <= 30_000, String(ttl))
    await holder.unlockRegeneration('key')
    assert.equal(await other.lockRegeneration('key', 30_000), true)
    await other.unlockRegeneration('key')
  })

  test('the holder renews the lock for the new time; taking it again is refused, the holder too; a lost lock is not renewed', async () => {
    const [a, b] = [instance('renew:'), instance('renew:')]
    assert.equal(await a.lockRegeneration('key', 30_000), true)
    // Two routers may share one store (one connection): the lock is one regeneration's, not the process's.
    assert.equal(await a.lockRegeneration('key', 30_000), false)
    // A failed regeneration holds the others off for a few seconds, from now.
    assert.equal(await a.renewRegeneration('key', 5_000), true)
    const ttl = await inspector.pTTL('renew:lock:key')
    assert.ok(ttl > 0 && ttl <= 5_000, String(ttl))
    assert.equal(await b.lockRegeneration('key', 30_000), false)
    assert.equal(await b.renewRegeneration('key', 30_000), false, 'b never held it')
    // a's lock runs out and b takes it: a's renewal is refused, and b keeps it.
    await inspector.del('renew:lock:key')
    assert.equal(await b.lockRegeneration('key', 30_000), true)
    assert.equal(await a.renewRegeneration('key', 5_000), false)
    assert.ok((await inspector.pTTL('renew:lock:key')) > 5_000)
    await b.unlockRegeneration('key')
  })

  test("a lock that timed out and was taken by another is not released by the first holder's unlock", async () => {
    const [a, b] = [instance('lock2:'), instance('lock2:')]
    assert.equal(await a.lockRegeneration('key', 60_000), true)
    await inspector.del('lock2:lock:key') // as if its time ran out
    assert.equal(await b.lockRegeneration('key', 60_000), true)
    await a.unlockRegeneration('key')
    assert.equal(await inspector.exists('lock2:lock:key'), 1)
  })

  test('the class form (a Next.js cacheHandler module): instances share one connection; ctx.revalidatedTags hides fetch entries', async () => {
    const Handler = redisCacheHandlerClass({ url: server.url }, { keyPrefix: 'class:' })
    const first = new Handler({ revalidatedTags: [], _requestHeaders: {} })
    const second = new Handler({ revalidatedTags: ['t'], _requestHeaders: {} })
    stores.push(first as RedisCacheHandler)
    const value: CachedFetchValue = { kind: 'FETCH', data: { headers: {}, body: 'e30=', url: 'u' }, revalidate: 60 }
    await first.set('f', value, { fetchCache: true, tags: ['t'] })
    assert.notEqual(await first.get('f', { kind: 'FETCH', tags: ['t'] }), null)
    assert.equal(await second.get('f', { kind: 'FETCH', tags: ['t'] }), null)
  })

  test('{ client }: an app-owned node-redis client is used as it is and left open by close()', async () => {
    const client = createClient({ url: server.url })
    client.on('error', () => {})
    await client.connect()
    const store = redisCache({ client }, { keyPrefix: 'own:' })
    await store.set('k', routeValue(Buffer.from('v')), routeSet(60))
    assert.notEqual(await instance('own:').get('k', routeGet()), null)
    await store.close()
    assert.equal(await client.ping(), 'PONG')
    client.destroy()
  })

  test('an entry over maxEntryBytes (default 2 MiB) is not stored, and the older one under its key is removed; the cache warns once, no outage', async () => {
    const small = redisCache({ url: server.url }, { keyPrefix: 'size:', maxEntryBytes: 1024 })
    stores.push(small)
    await small.set('/k', routeValue(Buffer.alloc(512)), routeSet(60))
    assert.ok(await small.get('/k', routeGet()))
    await assert.rejects(small.set('/k', routeValue(Buffer.alloc(2048)), routeSet(60)), (error: unknown) => {
      assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_CACHE_ENTRY_TOO_LARGE', String(error))
      return true
    })
    assert.equal(await small.get('/k', routeGet()), null, 'the older entry would be served stale and regenerated forever')
    await assert.rejects(instance('size:').set('/big', routeValue(Buffer.alloc(2 * 1024 * 1024)), routeSet(60)), /over the store's maxEntryBytes \(2097152\)/)

    const notes: string[] = []
    const errors: unknown[] = []
    const cache = new IncrementalCache({ store: small, logger: { warn: (m) => notes.push(m), error: (_m, e) => errors.push(e) }, timeoutMs: 1000 })
    // Once per entry, whatever its size each time.
    for (const size of [2048, 2049, 4000]) assert.equal(await cache.setRoute('/k', routeValue(Buffer.alloc(size)), { revalidate: 60, expire: undefined }, []), false)
    assert.equal(notes.length, 1)
    assert.match(notes[0]!, /RH_ERR_CACHE_ENTRY_TOO_LARGE|over the store's maxEntryBytes \(1024\)/)
    assert.deepEqual(errors, [], 'not reported as an outage')
    assert.equal(await cache.getRoute('/k', { tags: [], revalidate: 60 }), null)
  })

  test('invalid options are RH_ERR_OPTIONS_INVALID', () => {
    const check = (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_OPTIONS_INVALID'
    assert.throws(() => redisCache({ url: 'not a url' }), check)
    assert.throws(() => redisCache({} as { url: string }), check)
    assert.throws(() => redisCache({ url: server.url }, { commandTimeoutMs: 0 }), check)
    assert.throws(() => redisCache({ url: server.url }, { maxEntryBytes: -1 }), check)
    // Trial (a CommonJS app, no types): a misspelt option was ignored, and every app shared the default prefix.
    assert.throws(() => redisCache({ url: server.url, keyprefix: 'typo:' } as { url: string }), /unknown option `keyprefix` in the first argument/)
    assert.throws(() => redisCache({ url: server.url }, { url: server.url } as unknown as { keyPrefix: string }), /unknown option `url` in the options/)
  })

  // Trial: `redisCache({ client, keyPrefix })`, as a CommonJS app writes it, wrote under `route-handlers:`.
  test('options beside the target are options too; those after it win', async () => {
    const beside = redisCache({ url: server.url, keyPrefix: 'beside:' })
    const second = redisCache({ url: server.url, keyPrefix: 'ignored:' }, { keyPrefix: 'second:', commandTimeoutMs: undefined })
    // An option given as undefined (an unset environment variable) leaves the other spelling's.
    const unset = redisCache({ url: server.url, keyPrefix: 'unset:' }, { keyPrefix: undefined })
    stores.push(unset)
    await unset.set('k', routeValue(Buffer.from('v')), routeSet(60))
    assert.deepEqual(await inspector.keys('unset:entry:*'), ['unset:entry:k'])
    stores.push(beside, second)
    await beside.set('k', routeValue(Buffer.from('v')), routeSet(60))
    await second.set('k', routeValue(Buffer.from('v')), routeSet(60))
    assert.deepEqual([...(await inspector.keys('beside:entry:*')), ...(await inspector.keys('second:entry:*')), ...(await inspector.keys('ignored:entry:*'))], ['beside:entry:k', 'second:entry:k'])
  })
})

describe('redis store: without the redis package', () => {
  test('redisCache({ url }) throws RH_ERR_CACHE_REDIS_MISSING naming npm install redis', () => {
    // The built files copied where no node_modules is above them, so `redis` cannot be found.
    const root = fileURLToPath(new URL('..', import.meta.url))
    const dir = mkdtempSync(join(tmpdir(), 'route-handlers-no-redis-'))
    try {
      cpSync(join(root, 'dist/lib'), join(dir, 'lib'), { recursive: true })
      const script = `
        import { redisCache } from './lib/cache/redis/index.js'
        try { redisCache({ url: 'redis://127.0.0.1:1' }) } catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })) }`
      const output = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })) as { code: string; message: string }
      assert.equal(output.code, 'RH_ERR_CACHE_REDIS_MISSING')
      assert.match(output.message, /npm install redis/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  // Trial (umami, on node-redis 4 for its own use): with `redis` a peer dependency, npm refused to
  // install this package at all (ERESOLVE). Not a peer now; the store checks the version it loads.
  test('with node-redis 4 installed, redisCache({ url }) throws RH_ERR_CACHE_REDIS_TOO_OLD naming both fixes', () => {
    const root = fileURLToPath(new URL('..', import.meta.url))
    const dir = mkdtempSync(join(tmpdir(), 'route-handlers-old-redis-'))
    try {
      cpSync(join(root, 'dist/lib'), join(dir, 'lib'), { recursive: true })
      // node-redis 4's shape: createClient, and no RESP_TYPES.
      mkdirSync(join(dir, 'node_modules/redis'), { recursive: true })
      writeFileSync(join(dir, 'node_modules/redis/package.json'), JSON.stringify({ name: 'redis', version: '4.7.1', main: 'index.js' }))
      writeFileSync(join(dir, 'node_modules/redis/index.js'), 'exports.createClient = () => ({})\n')
      const script = `
        import { redisCache } from './lib/cache/redis/index.js'
        try { redisCache({ url: 'redis://127.0.0.1:1' }) } catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })) }`
      const output = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })) as { code: string; message: string }
      assert.equal(output.code, 'RH_ERR_CACHE_REDIS_TOO_OLD')
      assert.match(output.message, /redis@latest[^]*redis5@npm:redis@5/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('redis store: Redis down', () => {
  test('every call rejects with RH_ERR_CACHE_REDIS_UNAVAILABLE, nothing hangs or crashes; after a restart calls work again', async () => {
    const [a, b] = [instance('outage:'), instance('outage:')]
    await a.set('k', routeValue(Buffer.from('v')), routeSet(60, ['t']))
    assert.notEqual(await b.get('k', routeGet()), null)

    await server.kill()
    await assert.rejects(a.get('k', routeGet()), assertUnavailable)
    await assert.rejects(a.set('k', routeValue(Buffer.from('v')), routeSet(60)), assertUnavailable)
    await assert.rejects(b.revalidateTag('t'), assertUnavailable)
    await assert.rejects(b.tagRevalidations(['t']), assertUnavailable)
    await assert.rejects(a.lockRegeneration('k', 1000), assertUnavailable)
    // Many at once, as a busy instance sends them: each rejects on its own.
    const many = await Promise.allSettled(Array.from({ length: 50 }, () => b.get('k', routeGet())))
    assert.ok(many.every((result) => result.status === 'rejected' && assertUnavailable(result.reason)))

    await server.restart()
    await eventually(() => a.set('back', routeValue(Buffer.from('again')), routeSet(60)))
    await eventually(() => b.get('back', routeGet()))
    assert.deepEqual(((await b.get('back', routeGet()))?.value as CachedRouteValue).body, Buffer.from('again'))
  })

  test('an app started while Redis is down: calls reject until Redis comes up, then work', async () => {
    const late = await startRedisServer()
    await late.kill()
    const store = redisCache({ url: late.url }, { keyPrefix: 'late:', connectTimeoutMs: 200 })
    stores.push(store)
    await assert.rejects(store.get('k', routeGet()), assertUnavailable)
    await late.restart()
    await eventually(() => store.set('k', routeValue(Buffer.from('v')), routeSet(60)))
    assert.notEqual(await store.get('k', routeGet()), null)
    await store.close()
    await late.stop()
  })

  test('an app-owned client with an offline queue still fails fast while Redis is down', async () => {
    const client = createClient({ url: server.url, socket: { reconnectStrategy: 100 } })
    client.on('error', () => {})
    await client.connect()
    const store = redisCache({ client }, { keyPrefix: 'queue:' })
    await store.set('k', routeValue(Buffer.from('v')), routeSet(60))
    await server.kill()
    await assert.rejects(store.get('k', routeGet()), assertUnavailable)
    await server.restart()
    await eventually(() => store.get('k', routeGet()))
    client.destroy()
  })
})

/** Retries `call` until it resolves (the client reconnects on its own, with backoff). */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call()
    } catch (error) {
      assertUnavailable(error)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
