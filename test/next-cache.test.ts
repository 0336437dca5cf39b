import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { implicitTags } from '../lib/cache/implicit-tags.ts'
import { createRouteHandlers } from '../lib/index.ts'
import { cacheTag, revalidatePath, revalidateTag, unstable_cache } from '../lib/next/cache.ts'
import { quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const DIR = fileURLToPath(new URL('./fixtures/next-cache-app', import.meta.url))

describe('next/cache: the errors Next.js gives', async () => {
  const routes = await createRouteHandlers({ dir: DIR, logger: quietLogger }).ready()
  const call = (name: string) => routes.handle(new Request(`http://localhost/errors?call=${name}`))
  const cases: [string, RegExp][] = [
    ['updateTag', /^updateTag can only be called from within a Server Action\. To invalidate cache tags in Route Handlers or other contexts, use revalidateTag instead\./],
    ['refresh', /^refresh can only be called from within a Server Action\./],
    ['cacheTag', /^`cacheTag\(\)` can only be called inside a "use cache" function\.$/],
    ['cacheLife', /^`cacheLife\(\)` can only be called inside a "use cache" function\.$/],
    ['revalidateInsideCache', /^Route \/errors used "revalidateTag posts" inside a function cached with "unstable_cache\(\.\.\.\)" which is unsupported\./],
    ['headersInsideCache', /^Route \/errors used "headers\(\)" inside a function cached with "unstable_cache\(\.\.\.\)"\. Accessing Dynamic data sources inside a cache scope is not supported\./],
    ['zeroRevalidate', /^Invariant revalidate: 0 can not be passed to unstable_cache\(\), must be "false" or "> 0"/],
  ]
  for (const [name, message] of cases) {
    test(name, async () => {
      await assert.rejects(call(name), (error: Error) => message.test(error.message))
    })
  }

  // Next applies revalidations while the response goes out, and logs the error there (trial: a
  // CMS webhook with a typo in its profile would be retried forever against a 500).
  test("revalidateTag(tag, 'fortnight'), a profile nobody defined: the response stands, Next's error is logged", async () => {
    const errors: unknown[] = []
    const logging = await createRouteHandlers({ dir: DIR, logger: { ...quietLogger, error: (_message: string, error?: unknown) => void errors.push(error) } }).ready()
    const response = await logging.handle(new Request('http://localhost/errors?call=unknownProfile'))
    assert.equal(response?.status, 200)
    assert.match(
      String(errors[0]),
      /Invalid profile provided "fortnight" must be configured under cacheLife in next\.config or be "max" \(with route-handlers: in the cache\.cacheLife option\)$/,
    )
    await logging.close()
  })

  test('outside a request: revalidateTag and revalidatePath throw Next\'s invariant, cacheTag its "use cache" error', () => {
    assert.throws(() => revalidateTag('posts', 'max'), /^Error: Invariant: static generation store missing in revalidateTag posts$/)
    assert.throws(() => revalidatePath('/posts'), /^Error: Invariant: static generation store missing in revalidatePath \/posts$/)
    assert.throws(() => cacheTag('posts'), /"use cache"/)
  })

  test('outside a request, unstable_cache caches in the first route handlers\' store (Next\'s globalThis.__incrementalCache)', async () => {
    let runs = 0
    const load = unstable_cache(async (id: number) => ({ id, runs: ++runs }), ['outside'])
    assert.deepEqual(await load(1), { id: 1, runs: 1 })
    assert.deepEqual(await load(1), { id: 1, runs: 1 })
    assert.deepEqual(await load(2), { id: 2, runs: 2 }, 'the arguments are part of the key')
  })
})

// Conformance (Next's next-after-app fixtures import it): io(), Next 16.3's, was not exported.
test('io() (and unstable_io) resolve at once in a handler, in after() and in a "use cache" function', async () => {
  const dir = tempRouteFolder({
    'r/route.ts': [
      "import { after } from 'next/server'",
      "import { headers } from 'next/headers'",
      "import { io, unstable_io } from 'next/cache'",
      'async function cached() {',
      "  'use cache'",
      '  await io()',
      "  return 'cached'",
      '}',
      'export async function GET() {',
      '  await io()',
      "  after(async () => { await unstable_io(); (globalThis as { ioAfter?: string }).ioAfter = 'after' })",
      "  return Response.json({ agent: (await headers()).get('user-agent'), cached: await cached(), same: io() === unstable_io() })",
      '}',
      '',
    ].join('\n'),
  })
  const routes = await createRouteHandlers({ dir, logger: quietLogger }).ready()
  const response = await routes.handle(new Request('http://localhost/r', { headers: { 'user-agent': 'probe' } }))
  assert.deepEqual(await response!.json(), { agent: 'probe', cached: 'cached', same: true })
  await routes.close()
  assert.equal((globalThis as { ioAfter?: string }).ioAfter, 'after')
})

// Conformance (Next's next-after-app): after() callbacks ran outside the route's static mode:
// `force-static` ones read the visitor's headers, `dynamic = 'error'` ones did not throw.
test("after() callbacks keep the route's static mode: force-static sees no request data, dynamic = 'error' throws", async () => {
  const seen = ((globalThis as { staticAfter?: string[] }).staticAfter = [])
  const record = "(globalThis as { staticAfter?: string[] }).staticAfter!.push"
  const dir = tempRouteFolder({
    'forced/route.ts': [
      "import { headers, cookies } from 'next/headers'",
      "import { after } from 'next/server'",
      "export const dynamic = 'force-static'",
      'export function GET() {',
      `  after(async () => ${record}(\`forced: \${(await headers()).get('x-user')} \${(await cookies()).get('sid')?.value}\`))`,
      "  return new Response('static')",
      '}',
      '',
    ].join('\n'),
    'strict/route.ts': [
      "import { headers } from 'next/headers'",
      "import { after } from 'next/server'",
      "export const dynamic = 'error'",
      'export function GET() {',
      `  after(async () => { try { await headers(); ${record}('strict: read') } catch (error) { ${record}(\`strict: \${(error as Error).message.split('. ')[0]}\`) } })`,
      "  return new Response('strict')",
      '}',
      '',
    ].join('\n'),
  })
  const routes = await createRouteHandlers({ dir, logger: quietLogger }).ready()
  const init = { headers: { 'x-user': 'alice', cookie: 'sid=secret' } }
  assert.equal(await (await routes.handle(new Request('http://localhost/forced', init)))!.text(), 'static')
  assert.equal(await (await routes.handle(new Request('http://localhost/strict', init)))!.text(), 'strict')
  await routes.close()
  assert.deepEqual(seen.sort(), ['forced: null undefined', 'strict: Route /strict with `dynamic = "error"` couldn\'t be rendered statically because it used `headers()`'])
})

// Conformance (Next's next-after-app-api-usage): in production a handler that caught the error of
// an API it misused read "Internal Server Error (RH_ERR_AFTER_READONLY); the server log has the
// details", and nothing was logged. Such errors name the call, not a file: their text stays.
test('in production, the error of a misused API keeps its text for the handler that catches it', async () => {
  const seen = ((globalThis as { misuse?: string[] }).misuse = [])
  const dir = tempRouteFolder({
    'r/route.ts': [
      "import { cookies } from 'next/headers'",
      "import { after } from 'next/server'",
      'export function GET() {',
      "  after(async () => { try { (await cookies()).set('a', 'b') } catch (error) { (globalThis as { misuse?: string[] }).misuse!.push((error as Error).message) } })",
      "  return new Response('ok')",
      '}',
      '',
    ].join('\n'),
  })
  const previous = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    const routes = await createRouteHandlers({ dir, logger: quietLogger }).ready()
    await (await routes.handle(new Request('http://localhost/r')))!.text()
    await routes.close()
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previous
  }
  assert.equal(seen.length, 1)
  assert.match(seen[0]!, /^`cookies\(\)\.set\(\)` cannot be used inside an after\(\) callback/)
})

// Conformance (Next's next-after-app): `revalidateTag(tag, 'expireNow')` with a profile of
// next.config's `cacheLife` answered 500 ("Invalid profile provided"); the option defines it.
describe('cache.cacheLife: custom profiles, as next.config defines them', () => {
  test("revalidateTag(tag, 'expireNowProfile') and cacheLife('shortProfile') use them", async () => {
    const dir = tempRouteFolder({
      'data/route.ts': [
        "import { cacheLife, cacheTag } from 'next/cache'",
        'let calls = 0',
        'async function load() {',
        "  'use cache'",
        "  cacheLife('shortProfile')",
        "  cacheTag('profile-data')",
        '  return ++calls',
        '}',
        "export const dynamic = 'force-dynamic'",
        'export async function GET() { return Response.json({ calls: await load() }) }',
        '',
      ].join('\n'),
      'expire/route.ts': [
        "import { revalidateTag } from 'next/cache'",
        "export function POST() { revalidateTag('profile-data', 'expireNowProfile'); return new Response('expired') }",
        '',
      ].join('\n'),
    })
    const routes = await createRouteHandlers({
      dir,
      logger: quietLogger,
      cache: { cacheLife: { expireNowProfile: { stale: 0, revalidate: 0, expire: 0 }, shortProfile: { revalidate: 900, expire: 3600 } } },
    }).ready()
    const calls = async () => ((await (await routes.handle(new Request('http://localhost/data')))!.json()) as { calls: number }).calls
    assert.equal(await calls(), 1)
    assert.equal(await calls(), 1, 'cached under the custom profile')
    assert.equal(await (await routes.handle(new Request('http://localhost/expire', { method: 'POST' })))!.text(), 'expired')
    assert.equal(await calls(), 2, 'expired at once by the custom profile')
    await routes.close()
  })

  // A trial (Saleor's storefront): its next.config's profiles were not given, and every revalidate
  // request answered 500 with nothing said at start-up.
  test('a next.config beside the route folder with cacheLife or a cacheHandler is warned about until the option is given', async () => {
    const project = tempRouteFolder({
      'next.config.ts': [
        "import type { NextConfig } from 'next'",
        'const config: NextConfig = {',
        "  cacheHandler: require.resolve('./cache-handler.js'),",
        '  cacheLife: { catalog: { stale: 300, revalidate: 900, expire: 86400 } },',
        '}',
        'export default config',
        '',
      ].join('\n'),
      'src/app/ping/route.ts': 'export function GET() { return new Response("pong") }\n',
    })
    const warningsWith = async (cache?: { cacheLife?: Record<string, { revalidate: number }> }) => {
      const warnings: string[] = []
      const routes = await createRouteHandlers({ dir: `${project}/src/app`, logger: { ...quietLogger, warn: (message: string) => void warnings.push(message) }, cache }).ready()
      await routes.close()
      return warnings
    }
    const warned = await warningsWith()
    assert.equal(warned.length, 2, warned.join('\n'))
    assert.match(warned[0]!, /next\.config\.ts" defines cacheLife profiles[\s\S]*cache\.cacheLife option/)
    assert.match(warned[1]!, /next\.config\.ts" sets a cacheHandler[\s\S]*cache\.store option/)
    const given = await warningsWith({ cacheLife: { catalogWarningTest: { revalidate: 900 } } })
    assert.deepEqual(given.map((message) => message.match(/defines cacheLife|sets a cacheHandler/)?.[0]), ['sets a cacheHandler'])
  })

  // Review: a next.config that cannot be read (a folder of that name here) threw from
  // createRouteHandlers(); a commented-out setting was warned about; and with `app/` at a
  // project's root, the folder above (a monorepo's, another app's config) was read too.
  test('a next.config that cannot be read, a commented-out setting, and a neighbour project\'s config say nothing', async () => {
    const root = tempRouteFolder({
      'next.config.js': 'module.exports = { cacheLife: { other: { revalidate: 1 } } }\n',
      'web/package.json': '{ "name": "web" }',
      'web/next.config.mjs/placeholder': '',
      'web/next.config.ts': 'export default {\n  // cacheLife: { catalog: { revalidate: 900 } },\n  /* cacheHandler: "./h.js", */\n}\n',
      'web/app/ping/route.ts': 'export function GET() { return new Response("pong") }\n',
    })
    const warnings: string[] = []
    const routes = await createRouteHandlers({ dir: `${root}/web/app`, logger: { ...quietLogger, warn: (message: string) => void warnings.push(message) } }).ready()
    await routes.close()
    assert.deepEqual(warnings, [])
  })

  test('invalid profiles, and one name defined twice with other values, are RH_ERR_OPTIONS_INVALID', () => {
    const dir = tempRouteFolder({ 'x/route.ts': 'export const GET = () => new Response()\n' })
    const create = (cacheLife: Record<string, unknown>) => createRouteHandlers({ dir, logger: quietLogger, cache: { cacheLife } as never })
    assert.throws(() => create({ badProfile: { revalidate: -1 } }), { code: 'RH_ERR_OPTIONS_INVALID' })
    assert.throws(() => create({ badProfile: { revalidate: 600, expire: 60 } }), /expire \(60\) must be greater than revalidate \(600\)/)
    create({ twiceProfile: { revalidate: 60 } })
    create({ twiceProfile: { revalidate: 60 } })
    assert.throws(() => create({ twiceProfile: { revalidate: 61 } }), /defined twice/)
  })
})

describe('implicit tags (Next.js implicit-tags.ts), for route-folder paths', () => {
  const table: [string, string, string[]][] = [
    ['route.ts', '/', ['_N_T_/layout', '_N_T_/route', '_N_T_/']],
    ['blog/[slug]/route.ts', '/blog/hello', ['_N_T_/layout', '_N_T_/blog/layout', '_N_T_/blog/[slug]/layout', '_N_T_/blog/[slug]/route', '_N_T_/blog/hello']],
    ['(shop)/cart/route.js', '/cart', ['_N_T_/layout', '_N_T_/(shop)/layout', '_N_T_/(shop)/cart/layout', '_N_T_/(shop)/cart/route', '_N_T_/cart']],
  ]
  for (const [file, pathname, tags] of table) {
    test(`${file} at ${pathname}`, () => assert.deepEqual(implicitTags(file, pathname), tags))
  }
})

describe('route segment config is checked at load, as next build checks it', () => {
  const bad: [string, string][] = [
    ['dynamic', "export const dynamic = 'static'"],
    ['revalidate', 'export const revalidate = -1'],
    // Review of issue 12: Next's schema takes whole seconds only (z.number().int()).
    ['revalidate', 'export const revalidate = 1.5'],
    ['fetchCache', "export const fetchCache = 'always'"],
    ['dynamicParams', "export const dynamicParams = 'no'"],
  ]
  for (const [name, line] of bad) {
    test(`${name}: a value Next.js refuses fails the file's load (RH_ERR_ROUTE_CONFIG_INVALID)`, async () => {
      const dir = tempRouteFolder({ 'route.ts': `${line}\nexport function GET() { return new Response('ok') }\n` })
      const routes = createRouteHandlers({ dir, logger: quietLogger })
      await assert.rejects(routes.ready(), (error: { cause?: { code?: string; message?: string } }) => error.cause?.code === 'RH_ERR_ROUTE_CONFIG_INVALID' && error.cause.message!.includes(name))
    })
  }
})

// Trial: Next 16.4's next/cache exports prefetch() and navigation() (Cache Components markers); a
// route file importing them failed to load here. Without cacheComponents Next throws when they
// are called.
test('prefetch() and navigation(): a route file importing them loads; calling one throws Next\'s error', async () => {
  const dir = tempRouteFolder({
    'stages/route.ts': [
      "import { navigation, prefetch } from 'next/cache'",
      'export async function GET(request: Request) {',
      "  const name = new URL(request.url).searchParams.get('call')",
      "  if (name === 'prefetch') await prefetch()",
      "  if (name === 'navigation') await navigation()",
      "  return new Response('loaded')",
      '}',
      '',
    ].join('\n'),
  })
  const routes = await createRouteHandlers({ dir, logger: quietLogger }).ready()
  try {
    assert.equal(await (await routes.handle(new Request('http://localhost/stages')))!.text(), 'loaded')
    for (const name of ['prefetch', 'navigation']) {
      await assert.rejects(routes.handle(new Request(`http://localhost/stages?call=${name}`)), {
        message: `Route /stages used \`${name}()\`, which requires Cache Components to be enabled. Learn more: https://nextjs.org/docs/app/api-reference/config/next-config-js/cacheComponents`,
      })
    }
  } finally {
    await routes.close()
  }
})

// Trial: Drizzle's bigint columns. Next logs the JSON.stringify TypeError and returns the result
// uncached (its write is a pending revalidate of the request); here the request failed with a 500.
test('an unstable_cache result JSON cannot hold (a bigint) is returned uncached and the error logged, in a plain GET and a cached one', async () => {
  const dir = tempRouteFolder({
    'lib/count.ts': `import { unstable_cache } from 'next/cache'
export let runs = 0
export const getCount = unstable_cache(async () => ({ n: BigInt(++runs) }), ['count'])
`,
    'app/count/route.ts': `import { getCount } from '../../lib/count'
export async function GET() {
  return Response.json({ n: String((await getCount()).n) })
}
`,
    'app/count-cached/route.ts': `import { getCount } from '../../lib/count'
export const revalidate = 60
export async function GET() {
  return Response.json({ n: String((await getCount()).n) })
}
`,
  })
  const errors: string[] = []
  const routes = await createRouteHandlers({ dir: `${dir}/app`, logger: { warn() {}, error: (message: string) => void errors.push(message) } }).ready()
  const get = async (path: string) => {
    const response = (await routes.handle(new Request(`http://localhost${path}`)))!
    return [response.status, await response.json(), response.headers.get('x-nextjs-cache')]
  }
  assert.deepEqual(await get('/count'), [200, { n: '1' }, null])
  assert.deepEqual(await get('/count'), [200, { n: '2' }, null], 'nothing was stored')
  assert.deepEqual(await get('/count-cached'), [200, { n: '3' }, 'MISS'])
  assert.deepEqual(await get('/count-cached'), [200, { n: '3' }, 'HIT'], 'the route entry holds it')
  assert.equal(errors.length, 3)
  assert.match(errors[0]!, /^route-handlers: caching the result of unstable_cache with key .* failed; it was returned uncached/)
})

// As Next's unstable_cache: a stale entry refreshed in the foreground (for a GET being generated
// for its entry) whose function fails gives the stale value, logged, and the route regenerates.
test('a failing foreground refresh of a stale unstable_cache entry gives the stale value: the route entry regenerates', async () => {
  const dir = tempRouteFolder({
    'lib/value.ts': `import { unstable_cache } from 'next/cache'
export const state = { runs: 0, fail: false }
export const getValue = unstable_cache(async () => {
  if (state.fail) throw new Error('database down')
  return ++state.runs
}, ['value'], { tags: ['value'] })
`,
    'app/value/route.ts': `import { getValue } from '../../lib/value'
export const revalidate = 60
export async function GET() {
  return Response.json({ value: await getValue() })
}
`,
    'app/break/route.ts': `import { revalidateTag } from 'next/cache'
import { state } from '../../lib/value'
export async function POST() {
  state.fail = true
  revalidateTag('value', 'max')
  return new Response(null, { status: 204 })
}
`,
  })
  const errors: string[] = []
  const routes = await createRouteHandlers({ dir: `${dir}/app`, logger: { warn() {}, error: (message: string) => void errors.push(message) } }).ready()
  const get = async () => {
    const response = (await routes.handle(new Request('http://localhost/value')))!
    return [await response.json(), response.headers.get('x-nextjs-cache')]
  }
  assert.deepEqual(await get(), [{ value: 1 }, 'MISS'])
  assert.equal((await routes.handle(new Request('http://localhost/break', { method: 'POST' })))!.status, 204)
  assert.deepEqual(await get(), [{ value: 1 }, 'STALE'])
  await routes.close()
  assert.deepEqual(await get(), [{ value: 1 }, 'HIT'], 'the regeneration took the stale value rather than failing')
  assert.ok(errors.some((message) => message.startsWith('route-handlers: revalidating cache with key')), errors.join('\n'))
})

// Review: outside a request Next returns only a fresh unstable_cache entry; a stale one is made
// again in the foreground, the function's error thrown to the caller (here it was returned stale).
test('outside a request, a stale unstable_cache entry is made again before it is returned; a failure is the caller\'s', async () => {
  const dir = tempRouteFolder({
    'app/break/route.ts': `import { revalidateTag } from 'next/cache'
export async function POST() {
  revalidateTag('outside-stale', 'max')
  return new Response(null, { status: 204 })
}
`,
  })
  const routes = await createRouteHandlers({ dir: `${dir}/app`, logger: quietLogger }).ready()
  const state = { runs: 0, fail: false }
  const load = unstable_cache(async () => {
    if (state.fail) throw new Error('database down')
    return ++state.runs
  }, ['outside-stale'], { tags: ['outside-stale'] })
  const stale = () => routes.handle(new Request('http://localhost/break', { method: 'POST' }))
  assert.equal(await load(), 1)
  assert.equal(await load(), 1)
  await stale()
  assert.equal(await load(), 2, 'made again, not the stale 1')
  await stale()
  state.fail = true
  await assert.rejects(load(), /^Error: database down$/)
})
