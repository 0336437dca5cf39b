/**
 * Regressions from the review of the caching work (issue 12): a cached GET must never hand one
 * visitor's cookies (a session, the draft mode secret) to the next, and a draft mode request
 * neither reads nor writes the data caches (its drafts would reach the public). Each runs on
 * Express and Fastify.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { expressTarget, fastifyTarget, quietLogger, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const LEAKS_DIR = tempRouteFolder({
  // cookies().set() in a force-static GET: Next.js's cookies are sealed there.
  'session/route.ts': `import { cookies } from 'next/headers'
export const dynamic = 'force-static'
let visits = 0
export async function GET() {
  visits++
  try {
    ;(await cookies()).set('session', 'visitor-' + visits)
  } catch (error) {
    return Response.json({ code: (error as { code?: string }).code }, { status: 500 })
  }
  return Response.json({ visits })
}
`,
  // The classic draft route (README's example) with a revalidate: enable() must make it dynamic.
  'draft/route.ts': `import { draftMode } from 'next/headers'
export const revalidate = 60
export async function GET() {
  ;(await draftMode()).enable()
  return new Response('Draft mode is enabled')
}
`,
  // Data caches in a plain GET: Next bypasses unstable_cache and "use cache" in draft mode.
  'data/route.ts': `import { unstable_cache } from 'next/cache'
let calls = 0
const viaUnstableCache = unstable_cache(async () => ++calls, ['draft-review'])
async function viaUseCache() {
  'use cache'
  return ++calls
}
export async function GET() {
  return Response.json({ unstableCache: await viaUnstableCache(), useCache: await viaUseCache() })
}
`,
  // Two requests at one "use cache" miss share its run: each must still get a value of its own.
  'shared/route.ts': `// One round per host: its two requests, and a barrier that holds the run until both are in.
const rounds = new Map<string, { started: number; release: () => void; bothStarted: Promise<void> }>()
function roundOf(name: string) {
  let round = rounds.get(name)
  if (!round) {
    let release = () => {}
    const bothStarted = new Promise<void>((resolve) => (release = resolve))
    round = { started: 0, release: () => release(), bothStarted }
    rounds.set(name, round)
  }
  return round
}
async function getList(round: string) {
  'use cache'
  await roundOf(round).bothStarted
  return ['shared']
}
export async function GET(request: Request) {
  const { searchParams } = new URL(request.url)
  const round = roundOf(searchParams.get('round')!)
  const pending = getList(searchParams.get('round')!)
  // The second request lets the run finish once it has joined it (the memory store answers at once).
  if (++round.started === 2) setTimeout(round.release, 20)
  const list = await pending
  list.push(searchParams.get('who')!)
  await new Promise((resolve) => setImmediate(resolve))
  return Response.json(list)
}
`,
  // Copies of the request hold all of it: the route reads request data (review).
  'copy/route.ts': `export const revalidate = 60
export async function GET(request: Request) {
  const copy = new Request(request)
  return Response.json({ auth: copy.headers.get('authorization'), url: copy.url })
}
`,
  'copy-next/route.ts': `import { NextRequest } from 'next/server'
export const revalidate = 60
export async function GET(request: NextRequest) {
  const copy = new NextRequest(request)
  return Response.json({ auth: copy.headers.get('authorization'), q: copy.nextUrl.searchParams.get('q') })
}
`,
  'copy-static/route.ts': `export const dynamic = 'force-static'
export async function GET(request: Request) {
  const copy = new Request(request)
  return Response.json({ auth: copy.headers.get('authorization'), url: copy.url })
}
`,
  'copy-error/route.ts': `export const dynamic = 'error'
export async function GET(request: Request) {
  try {
    new Request(request)
  } catch (error) {
    return new Response((error as Error).message, { status: 500 })
  }
  return new Response('copied')
}
`,
  // The origin in nextUrl: the first visitor's Host must not name every visitor's links (review).
  'robots-static/route.ts': `import type { NextRequest } from 'next/server'
export const dynamic = 'force-static'
export function GET(request: NextRequest) {
  const { origin, host, hostname, port, protocol } = request.nextUrl
  return Response.json({ origin, host, hostname, port, protocol, cloned: request.nextUrl.clone().host })
}
`,
  'robots/route.ts': `import type { NextRequest } from 'next/server'
export const revalidate = 3600
export function GET(request: NextRequest) {
  return new Response(\`Sitemap: \${request.nextUrl.protocol}//\${request.nextUrl.host}/sitemap.xml\`)
}
`,
  'robots-error/route.ts': `import type { NextRequest } from 'next/server'
export const dynamic = 'error'
export function GET(request: NextRequest) {
  return new Response(\`Sitemap: \${request.nextUrl.protocol}//\${request.nextUrl.host}/sitemap.xml\`)
}
`,
  // The usual redirect: a clone of nextUrl with a new pathname (NextURL's setters on a proxy threw).
  ...Object.fromEntries(
    [['redirect-static', "export const dynamic = 'force-static'"], ['redirect-revalidate', 'export const revalidate = 60'], ['redirect-error', "export const dynamic = 'error'"]].map(([name, config]) => [
      `${name}/route.ts`,
      `import { NextResponse, type NextRequest } from 'next/server'
${config}
export function GET(request: NextRequest) {
  const url = request.nextUrl.clone()
  url.pathname = '/dest'
  try {
    return NextResponse.redirect(url)
  } catch (error) {
    return new Response((error as Error).message, { status: 500 })
  }
}
`,
    ]),
  ),
  // The root route and a folder named index: two routes, two entries.
  'route.ts': `export const dynamic = 'force-static'
export function GET() {
  return new Response('the root route')
}
`,
  'index/route.ts': `export const dynamic = 'force-static'
export function GET() {
  return new Response('the index folder')
}
`,
})

const PREVIEW_MODE_ID = 'cache-leaks-preview'
const DRAFT = { headers: { cookie: `__prerender_bypass=${PREVIEW_MODE_ID}` } }

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: a cached GET keeps no visitor's cookies`, () => {
    let target: Target
    before(async () => {
      target = await start('', LEAKS_DIR, { logger: quietLogger, previewModeId: PREVIEW_MODE_ID })
    })
    after(() => target.close())

    test('cookies().set() in a force-static GET throws RH_ERR_COOKIES_STATIC; no Set-Cookie is stored for the next visitor', async () => {
      const first = await target.send('/session')
      assert.deepEqual(first.headers.getSetCookie(), [])
      assert.deepEqual(await first.json(), { code: 'RH_ERR_COOKIES_STATIC' })
      const second = await target.send('/session')
      assert.deepEqual(second.headers.getSetCookie(), [], "the first visitor's session is not handed to the second")
    })

    test('draftMode().enable() in a GET with revalidate makes the route dynamic: the bypass cookie is never cached', async () => {
      const first = await target.send('/draft')
      assert.equal(first.headers.getSetCookie().length, 1)
      assert.equal(first.headers.get('x-nextjs-cache'), null)
      const second = await target.send('/draft')
      assert.equal(second.headers.get('x-nextjs-cache'), null, 'not a HIT carrying the preview mode id to everyone')
    })

    test('two requests that join one "use cache" run each get their own copy of its result (one\'s changes never reach the other)', async () => {
      const [a, b] = await Promise.all([target.send(`/shared?round=${name}&who=a`), target.send(`/shared?round=${name}&who=b`)])
      assert.deepEqual([await a.json(), await b.json()], [['shared', 'a'], ['shared', 'b']])
    })

    test("a copy of the request (new Request(request), new NextRequest(request)) makes a revalidate GET dynamic: no visitor's Authorization or query is cached", async () => {
      for (const path of ['/copy', '/copy-next']) {
        const alice = await target.send(`${path}?q=alice`, { headers: { authorization: 'Bearer alice' } })
        const bob = await target.send(`${path}?q=bob`, { headers: { authorization: 'Bearer bob' } })
        assert.equal(alice.headers.get('x-nextjs-cache'), null, path)
        assert.equal(bob.headers.get('x-nextjs-cache'), null, path)
        assert.equal(((await bob.json()) as { auth: string }).auth, 'Bearer bob', path)
      }
    })

    test('under force-static a copy of the request is as stripped as the request: no headers, no search, localhost:3000', async () => {
      const first = await target.send('/copy-static?q=alice', { headers: { authorization: 'Bearer alice' } })
      assert.deepEqual(await first.json(), { auth: null, url: 'http://localhost:3000/copy-static' })
    })

    test("under dynamic = 'error' copying the request throws Next's error", async () => {
      const answer = await target.send('/copy-error')
      assert.equal(answer.status, 500)
      assert.match(await answer.text(), /^Route \/copy-error with `dynamic = "error"` couldn't be rendered statically because it used `new Request\(request\)`/)
    })

    test("a cached GET's entry never holds the first visitor's Host: static generation's origin (force-static, error), or the route is dynamic (auto)", async () => {
      const staticOrigin = { origin: 'http://localhost:3000', host: 'localhost:3000', hostname: 'localhost', port: '3000', protocol: 'http:', cloned: 'localhost:3000' }
      for (const host of ['evil.example', 'victim.example']) {
        assert.deepEqual(await (await target.send('/robots-static', { headers: { host } })).json(), staticOrigin)
        const fixed = await target.send('/robots-error', { headers: { host } })
        assert.equal(await fixed.text(), 'Sitemap: http://localhost:3000/sitemap.xml')
        assert.equal(fixed.headers.get('x-nextjs-cache'), host === 'evil.example' ? 'MISS' : 'HIT')
        // The first visitor too sees its own host (fetch sends the server's as Host).
        const robots = await target.send('/robots', { headers: { host } })
        assert.match(await robots.text(), /^Sitemap: http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml$/)
        assert.equal(robots.headers.get('x-nextjs-cache'), null, 'dynamic')
      }
    })

    test('the usual redirect (a clone of nextUrl given a new pathname) works in cached GETs, as in Next', async () => {
      const location = async (path: string) => {
        const response = await target.send(path, { redirect: 'manual' })
        return [response.status, response.headers.get('location') ?? (await response.text()).slice(0, 60)]
      }
      assert.deepEqual(await location('/redirect-static'), [307, 'http://localhost:3000/dest'])
      const [status, revalidated] = await location('/redirect-revalidate')
      assert.equal(status, 307)
      assert.match(String(revalidated), /^http:\/\/127\.0\.0\.1:\d+(\/\w+)?\/dest$/, "the visitor's own origin: reading it made the route dynamic")
      // Next's error: under dynamic = 'error', reading the URL's href is request data.
      assert.deepEqual(await location('/redirect-error'), [500, 'Route /redirect-error with `dynamic = "error"` couldn\'t be r'])
    })

    test('the root route and app/index/route.ts keep entries of their own (/index is not /)', async () => {
      assert.equal(await (await target.send('/')).text(), 'the root route')
      assert.equal(await (await target.send('/index')).text(), 'the index folder')
      assert.equal(await (await target.send('/')).text(), 'the root route')
    })

    test('in draft mode, unstable_cache and "use cache" run their function and store nothing, as in Next.js', async () => {
      const published = (await (await target.send('/data')).json()) as Record<string, number>
      assert.deepEqual(await (await target.send('/data')).json(), published, 'cached for the public')
      const draft = (await (await target.send('/data', DRAFT)).json()) as Record<string, number>
      assert.ok(draft.unstableCache! > published.unstableCache! && draft.useCache! > published.useCache!, 'the draft request ran both')
      assert.deepEqual(await (await target.send('/data')).json(), published, 'what the draft request computed was not stored')
    })
  })
}
