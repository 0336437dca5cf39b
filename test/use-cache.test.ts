import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRouteHandlers } from '../lib/index.ts'
import { expressTarget, fastifyTarget, handleTarget, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

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

// An .mjs file (and a .js file the resolver already called an ES module) went to Node's own
// loading, which left the directive a plain string: the function ran on every call.
test('"use cache" in an .mjs file and in a .js file of a "type": "module" package caches as in a .ts file', async () => {
  const root = tempRouteFolder({
    'package.json': JSON.stringify({ type: 'module' }),
    'lib/runs.js': 'export const runs = { mjs: 0, js: 0 }\n',
    'lib/slow.mjs': "import { runs } from './runs.js'\nexport async function slow(id) {\n  'use cache'\n  runs.mjs++\n  return { id }\n}\n",
    'lib/also.js': "import { runs } from './runs.js'\nexport async function also(id) {\n  'use cache'\n  runs.js++\n  return { id }\n}\n",
    'app/twice/route.js':
      "import { slow } from '../../lib/slow.mjs'\nimport { also } from '../../lib/also.js'\nimport { runs } from '../../lib/runs.js'\nexport async function GET() {\n  await slow(1); await slow(1); await also(1); await also(1)\n  return Response.json(runs)\n}\n",
  })
  const routes = await createRouteHandlers({ dir: join(root, 'app'), logger: { warn() {}, error() {} } }).ready()
  const response = await routes.handle(new Request('http://localhost/twice'))
  assert.deepEqual(await response?.json(), { mjs: 1, js: 1 })
})

// Review: acorn, which reads a file that may use "use cache", threw its own error for a syntax
// error (no file name), and for syntax Node accepts and acorn does not.
test('a syntax error in an .mjs file that mentions "use cache" is reported with its file, line and column', async () => {
  const root = tempRouteFolder({
    'lib/x.mjs': "'use cache'\nexport async function x() {\n  return { y: 1,, }\n}\n",
    'app/b/route.mjs': "import { x } from '../../lib/x.mjs'\nexport const GET = async () => Response.json(await x())\n",
  })
  const errors: string[] = []
  await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: { warn() {}, error: (message) => void errors.push(message) } }).ready())
  assert.match(errors.join('\n'), /lib\/x\.mjs:3:\d+/)
})

// Review: V8's serialization stored a class instance's fields as a plain object and a Response as
// `{}`, silently; Next's Flight serialization throws for both, and calls a nested value's toJSON().
test('a "use cache" result is what Next.js\'s Flight serialization keeps: classes and null prototypes throw its error, toJSON() is called (on the result itself, a plain one\'s), streamed values are refused by name', async () => {
  const root = tempRouteFolder({
    'lib/data.ts': `
export class Author { name = 'Ada' }
class Price { constructor(private cents: number) {} toJSON() { return (this.cents / 100).toFixed(2) } }
export async function response() { 'use cache'; return new Response('x') }
export async function model() { 'use cache'; return { post: { author: new Author() } } }
export async function bare() { 'use cache'; return Object.create(null) as object }
export async function kept() {
  'use cache'
  const shared = { n: 1 }
  return { price: new Price(1250), link: new URL('https://example.com/a'), at: new Date(0), tags: new Set(['a']), bytes: new Uint8Array([1, 2]), list: new Map([['k', shared]]).values(), shared, discount: undefined }
}
export async function bytes() { 'use cache'; return new Uint8Array([7]) }
export async function blob() { 'use cache'; return { file: new Blob(['x']) } }
export async function form() { 'use cache'; const form = new FormData(); form.set('a', 'b'); return [form] }
export async function own() {
  'use cache'
  const loop: Record<string, unknown> = { at: new Date(Number.NaN) }
  loop.self = loop
  return { toJSON: () => ({ shaped: true, loop }) }
}
`,
    'app/results/route.ts': `
import * as data from '../../lib/data'
export async function GET(request: Request) {
  const name = new URL(request.url).searchParams.get('name') as 'response' | 'model' | 'bare' | 'blob' | 'form'
  try {
    await data[name]()
    return Response.json({ ok: true })
  } catch (error) {
    return Response.json({ code: (error as { code?: string }).code, message: (error as Error).message })
  }
}
`,
    'app/kept/route.ts': `
import { kept, bytes, own } from '../../lib/data'
export async function GET() {
  const value = (await kept()) as { at: unknown; tags: unknown; bytes: unknown; list: Array<{ n: number }>; shared: { n: number } }
  const root = await bytes()
  const shaped = (await own()) as { shaped: boolean; loop: { at: unknown; self: unknown } }
  return Response.json({
    ...value, at: value.at instanceof Date, tags: value.tags instanceof Set, bytes: value.bytes instanceof Uint8Array, sharedKept: value.list[0] === value.shared, root: root instanceof Uint8Array,
    own: { shaped: shaped.shaped, invalidDate: shaped.loop.at, cycleKept: shaped.loop.self === shaped.loop },
    undefinedKept: 'discount' in value,
  })
}
`,
    'app/thrown/route.ts': `
import { response } from '../../lib/data'
export async function GET() { return response() }
`,
  })
  const routes = await createRouteHandlers({ dir: join(root, 'app'), logger: { warn() {}, error() {} } }).ready()
  const json = async (path: string) => (await (await routes.handle(new Request(`http://localhost${path}`)))!.json()) as Record<string, unknown>
  const flight = 'Only plain objects, and a few built-ins, can be passed to Client Components from Server Components. Classes or null prototypes are not supported.'
  for (const [name, found] of [['response', 'an instance of Response at result'], ['model', 'an instance of Author at result.post.author'], ['bare', 'an object with a null prototype at result']]) {
    const got = await json(`/results?name=${name}`)
    assert.equal(got.code, 'RH_ERR_USE_CACHE_RESULT', name)
    assert.ok(String(got.message).includes(`${flight} (${found})`), `${name}: ${String(got.message)}`)
    assert.match(String(got.message), new RegExp(`^The result of the "use cache" function .*data\\.ts#${name}@\\d+ cannot be cached`))
  }
  for (const [name, found] of [['blob', 'a Blob at result.file'], ['form', 'FormData at result[0]']]) {
    const got = await json(`/results?name=${name}`)
    assert.equal(got.code, 'RH_ERR_USE_CACHE_RESULT', name)
    assert.ok(String(got.message).includes(`${found}, which Next.js streams to the caller, is not stored`), `${name}: ${String(got.message)}`)
  }
  assert.deepEqual(await json('/kept'), {
    price: '12.50',
    link: 'https://example.com/a',
    at: true,
    tags: true,
    bytes: true,
    list: [{ n: 1 }],
    shared: { n: 1 },
    sharedKept: true,
    root: true,
    own: { shaped: true, invalidDate: null, cycleKept: true },
    undefinedKept: false,
  })
  // Uncaught, it is the handler's error (a 500 through the host's error handling).
  await assert.rejects(routes.handle(new Request('http://localhost/thrown')), { code: 'RH_ERR_USE_CACHE_RESULT' })
})

// Review: the fast path for plain objects skipped the iterable check; a dropped key was decided
// on the raw value, not on what toJSON() made of it.
test('"use cache" results: an iterable plain object is an array, a toJSON() returning nothing drops its key, as Flight', async () => {
  const { encodedResult, decodedResult } = await import('../lib/cache/use-cache-result.ts')
  const range = { from: 1, to: 3, *[Symbol.iterator]() { for (let n = this.from; n <= this.to; n++) yield n } }
  const copy = decodedResult(encodedResult({ range, gone: { toJSON: () => undefined }, kept: 1 }, 'test#shapes'))
  assert.ok(copy.ok)
  assert.deepEqual(copy.value, { range: [1, 2, 3], kept: 1 })
  assert.equal('gone' in (copy.value as object), false)
})
