import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { expressTarget, fastifyTarget, handleTarget, type Target } from './helpers/targets.ts'

// One module graph per process: the hosts share the fixture's run counters, so each host asks for
// categories and tenants of its own.
const DIR = fileURLToPath(new URL('./fixtures/use-cache-app/app', import.meta.url))

const hosts: [string, () => Promise<Target>][] = [
  ['core', () => handleTarget('', DIR)],
  ['express', () => expressTarget('/api', DIR)],
  ['fastify', () => fastifyTarget('/api', DIR)],
]

for (const [host, start] of hosts) {
  describe(`"use cache" on ${host}`, () => {
    let target: Target
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    const json = async (path: string, init?: RequestInit) => {
      const response = await target.send(path, init)
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`)
      return (await response.json()) as Record<string, unknown>
    }
    const runs = async (name: string) => (await json(`/stats?name=${encodeURIComponent(name)}`)).runs

    test('the awaited params, passed whole, are a key like any plain object', async () => {
      const id = `${host}-42`
      assert.deepEqual(await json(`/products/${id}`), { id, run: 1 })
      assert.deepEqual(await json(`/products/${id}`), { id, run: 1 })
      assert.equal(await runs(`product:${id}`), 1)
    })

    test('a cached function runs once per argument; the result (a Date included) comes back from the cache', async () => {
      const category = `${host}-news`
      const first = await json(`/posts?category=${category}`)
      const second = await json(`/posts?category=${category}`)
      assert.deepEqual(first, { category, run: 1, at: '1970-01-01T00:00:00.000Z' })
      assert.deepEqual(second, first)
      assert.equal(await runs(`posts:${category}`), 1)
      await json(`/posts?category=${category}-other`)
      assert.equal(await runs(`posts:${category}-other`), 1, 'another argument is another entry')
    })

    test('revalidateTag on a cacheTag() tag makes the next call run again', async () => {
      const category = `${host}-tagged`
      await json(`/posts?category=${category}`)
      await json('/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: `posts:${category}` }) })
      assert.equal((await json(`/posts?category=${category}`)).run, 2)
      assert.equal((await json(`/posts?category=${category}`)).run, 2)
    })

    test('a cached function made inside another keys on what it closes over', async () => {
      const a = await json(`/posts?tenant=${host}-a&category=x`)
      const b = await json(`/posts?tenant=${host}-b&category=x`)
      assert.equal(a.tenant, `${host}-a`)
      assert.equal(b.tenant, `${host}-b`)
      assert.equal((await json(`/posts?tenant=${host}-a&category=x`)).run, 1)
    })

    test('a "use cache" file caches its exports; an inner entry\'s tag invalidates the outer one', async () => {
      const before = await json('/catalog')
      assert.equal((await json('/catalog')).run, before.run, 'cached')
      await json('/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'posts:news' }) })
      assert.equal((await json('/catalog')).run, (before.run as number) + 1, 'the inner getPosts tag reached the catalog entry')
    })

    test('"use cache: private" reads cookies and is not shared; request data inside "use cache" is Next\'s error', async () => {
      assert.deepEqual(await json('/profile', { headers: { cookie: 'theme=dark' } }), { theme: 'dark' })
      assert.deepEqual(await json('/profile', { headers: { cookie: 'theme=sepia' } }), { theme: 'sepia' })
      const broken = await target.send('/broken')
      assert.equal(broken.status, 500)
    })
  })
}

test('an argument "use cache" cannot key on (a class instance) rejects with Next.js\'s error when awaited, never throws at the call', async () => {
  const { cache } = await import('../lib/cache/use-cache-wrapper.ts')
  class Point {
    x = 1
  }
  let ran = false
  const call = cache('default', 'test#point', [], [new Point()], async () => (ran = true), undefined)
  assert.ok(call instanceof Promise)
  await assert.rejects(call, { message: 'Only plain objects, and a few built-ins, can be passed to a "use cache" function: got an instance of Point.' })
  assert.equal(ran, false)
})
