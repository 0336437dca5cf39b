/**
 * Next.js caching over HTTP (issue 12), written once and run against every host: route segment
 * config (`revalidate`, `dynamic`), `next/cache` revalidation, `unstable_cache`, and what a failing
 * store does. Route modules are shared by every host in the process, so counters are compared
 * before and after, never as absolute numbers.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CacheHandler } from '../../lib/index.ts'
import { eventually } from './http.ts'
import type { ExtraOptions, Target } from './targets.ts'

/** The route folder of the caching suite. */
export const CACHE_APP_DIR = fileURLToPath(new URL('../fixtures/cache-app', import.meta.url))

export type StartTarget = (prefix: string, dir: string, extra: ExtraOptions) => Promise<Target>

/** A logger that keeps what it is told. */
export function recordingLogger() {
  const errors: { message: string; error: unknown }[] = []
  const notes: string[] = []
  return {
    errors,
    notes,
    logger: {
      warn: (message: string) => void notes.push(message),
      info: (message: string) => void notes.push(message),
      error: (message: string, error?: unknown) => void errors.push({ message, error }),
    },
  }
}

async function body(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>
}

const cacheState = (response: Response) => response.headers.get('x-nextjs-cache')

export function runCacheBehaviour(name: string, start: StartTarget, prefix = ''): void {
  describe(`${name}: Next.js caching`, () => {
    let target: Target
    const recorded = recordingLogger()
    const send = (path: string, init?: RequestInit) => target.send(path, init)
    const admin = (payload: Record<string, unknown>) =>
      send('/admin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
    before(async () => {
      target = await start(prefix, CACHE_APP_DIR, { logger: recorded.logger, previewModeId: 'cache-suite-preview' })
    })
    after(() => target.close())

    test('a HIT replays the stored answer: every header (two cookies, its own Cache-Control) and the bytes, text or not', async () => {
      for (let round = 0; round < 2; round++) {
        const text = await send('/replay/text')
        assert.equal(await text.text(), 'héllo, cache')
        assert.deepEqual(text.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/'])
        assert.equal(text.headers.get('cache-control'), 'public, max-age=5')
        assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8')
        const binary = await send('/replay/binary')
        assert.deepEqual([...new Uint8Array(await binary.arrayBuffer())], [0xff, 0xfe, 0x00, 0x80, 0x41])
        assert.equal(binary.headers.get('content-type'), 'application/octet-stream')
        assert.equal(cacheState(text), round === 0 ? 'MISS' : 'HIT')
        assert.equal(cacheState(binary), round === 0 ? 'MISS' : 'HIT')
        const empty = await send('/replay/empty')
        assert.equal(empty.status, 200)
        assert.equal(await empty.text(), '')
        assert.equal(empty.headers.get('content-type'), null, 'no type where the handler set none (Fastify would say octet-stream)')
        assert.equal(cacheState(empty), round === 0 ? 'MISS' : 'HIT')
      }
    })

    test('revalidate = 1: MISS, HIT, then STALE (served at once) and fresh again; Next\'s Cache-Control', async () => {
      const first = await send('/revalidate')
      assert.equal(cacheState(first), 'MISS')
      assert.equal(first.headers.get('cache-control'), 's-maxage=1, stale-while-revalidate=31535999')
      const { calls } = await body(first)
      const hit = await send('/revalidate?ignored=query')
      assert.equal(cacheState(hit), 'HIT', 'the query is not part of the key')
      assert.deepEqual(await body(hit), { calls })
      await sleep(1100)
      // The first read after the second is STALE; the others may already see the regenerated entry.
      const reads = await Promise.all([send('/revalidate'), send('/revalidate'), send('/revalidate')])
      const states = reads.map(cacheState)
      assert.ok(states.includes('STALE'), String(states))
      for (const response of reads) {
        const expected = cacheState(response) === 'STALE' ? { calls } : { calls: (calls as number) + 1 }
        assert.deepEqual(await body(response), expected, 'a stale entry is served, not waited for')
      }
      let fresh: Record<string, unknown> | undefined
      assert.ok(await eventuallyAsync(async () => {
        const response = await send('/revalidate')
        fresh = await body(response)
        return cacheState(response) === 'HIT' && fresh.calls !== calls
      }))
      assert.deepEqual(fresh, { calls: (calls as number) + 1 }, 'regenerated once for three stale reads')
    })

    test('HEAD is answered from the GET entry, without a body', async () => {
      await send('/forever')
      const head = await send('/forever', { method: 'HEAD' })
      assert.equal(head.status, 200)
      assert.equal(cacheState(head), 'HIT')
      assert.equal(head.headers.get('x-custom'), 'kept')
      assert.equal(await head.text(), '')
    })

    test('draft mode is never cached: the handler runs, Cache-Control says private', async () => {
      const cached = await (await send('/forever')).text()
      const draft = await send('/forever', { headers: { cookie: '__prerender_bypass=cache-suite-preview' } })
      assert.equal(draft.headers.get('cache-control'), 'private, no-cache, no-store, max-age=0, must-revalidate')
      assert.equal(cacheState(draft), null)
      assert.notEqual(await draft.text(), cached)
      assert.equal(cacheState(await send('/forever')), 'HIT', 'the entry stays')
    })

    test('dynamic = "force-static" strips search, headers, cookies and domain from the request (Next\'s e2e case)', async () => {
      const response = await send('/static?query=true', { headers: { accept: 'application/json', cookie: 'session=true' } })
      assert.equal(response.status, 200)
      const url = `http://localhost:3000${prefix}/static`
      assert.deepEqual(await body(response), {
        nextUrl: { href: url, search: '', searchParams: null, clone: url },
        req: { url, headers: null },
        headers: null,
        cookies: null,
      })
      assert.equal(response.headers.get('cache-control'), 's-maxage=31536000')
    })

    test('a POST route\'s revalidatePath clears the GET\'s entry (route-folder paths, the mount prefix excluded)', async () => {
      const before = await (await send('/forever')).text()
      assert.equal(cacheState(await send('/forever')), 'HIT')
      assert.deepEqual(await body(await admin({ path: '/forever' })), { revalidated: true })
      const after = await send('/forever')
      assert.equal(cacheState(after), 'MISS')
      assert.notEqual(await after.text(), before)
    })

    test('unstable_cache with tags: revalidateTag expires it and the route entry that used it; with a profile they turn stale', async () => {
      const first = await body(await send('/tagged'))
      const hit = await send('/tagged')
      assert.equal(cacheState(hit), 'HIT')
      assert.deepEqual(await body(hit), first)
      await admin({ tag: 'posts' })
      const miss = await send('/tagged')
      assert.equal(cacheState(miss), 'MISS')
      const second = await body(miss)
      assert.equal(second.loads, (first.loads as number) + 1, 'the unstable_cache entry expired too')
      assert.ok(recorded.notes.some((note) => note.includes('"revalidateTag" without the second argument is now deprecated')))

      await admin({ tag: 'posts', profile: 'max' })
      const stale = await send('/tagged')
      assert.equal(cacheState(stale), 'STALE')
      assert.deepEqual(await body(stale), second)
      assert.ok(await eventuallyAsync(async () => cacheState(await send('/tagged')) === 'HIT'), JSON.stringify(recorded.errors.map((e) => [e.message, String(e.error)])))
    })

    test('revalidateTag inside after() is applied once the response has gone', async () => {
      await send('/tagged')
      assert.equal(cacheState(await send('/tagged')), 'HIT')
      assert.equal((await send('/after-revalidate', { method: 'POST' })).status, 202)
      assert.ok(await eventuallyAsync(async () => cacheState(await send('/tagged')) === 'MISS'))
    })

    test('revalidatePath(route folder, "layout") reaches every path of a dynamic route; dynamicParams = false: a path off the list is the host\'s not found', async () => {
      assert.deepEqual(await body(await send('/items/a')), { id: 'a' })
      assert.equal(cacheState(await send('/items/a')), 'HIT')
      const offList = await send('/items/zzz')
      assert.equal(offList.status, 404)
      // No route's path: the host's own not-found answer (a body of its own), as Next.js answers it with its 404 page.
      assert.notEqual(await offList.text(), '')
      await admin({ path: '/items/[id]', type: 'layout' })
      assert.equal(cacheState(await send('/items/a')), 'MISS')
    })

    test('dynamicParams = false on a route that is not cached (it exports POST) serves any params, as Next.js does', async () => {
      const response = await send('/listed-with-post/zzz')
      assert.equal(response.status, 200)
      assert.equal(cacheState(response), null)
      assert.deepEqual(await body(response), { id: 'zzz' })
    })

    test('generateStaticParams alone makes a GET cached until revalidated (Next.js isStaticGenEnabled); with dynamicParams = false other params answer 404', async () => {
      const first = await send('/listed/a')
      assert.equal(cacheState(first), 'MISS')
      assert.equal(first.headers.get('cache-control'), 's-maxage=31536000')
      const again = await send('/listed/a')
      assert.equal(cacheState(again), 'HIT')
      assert.deepEqual(await body(again), await body(first))
      const offList = await send('/listed/zzz')
      assert.equal(offList.status, 404)
      assert.notEqual(await offList.text(), '')
    })

    test('dynamicParams = false on a GET that reads request data serves params off the list, uncached, from the first request (next build finds it dynamic)', async () => {
      const offList = await send('/listed-dynamic/zzz', { headers: { 'x-agent': 'first' } })
      assert.equal(offList.status, 200)
      assert.equal(cacheState(offList), null)
      assert.deepEqual(await body(offList), { id: 'zzz', agent: 'first' })
      const listed = await send('/listed-dynamic/a', { headers: { 'x-agent': 'second' } })
      assert.equal(cacheState(listed), null)
      assert.deepEqual(await body(listed), { id: 'a', agent: 'second' })
    })

    test('dynamicParams = false on a GET that reads none refuses a param off the list as the first request, and the listed path is then a HIT, as after next build', async () => {
      const offList = await send('/listed-prerendered/zzz')
      assert.equal(offList.status, 404)
      assert.notEqual(await offList.text(), '')
      const listed = await send('/listed-prerendered/a')
      assert.equal(cacheState(listed), 'HIT')
      assert.equal((await body(listed)).id, 'a')
    })

    test('dynamicParams = false: a listed path that fails to generate leaves params off the list not found, logged, and held off a few seconds (review)', async () => {
      const state = globalThis as { listedFailing?: boolean; listedFailingRuns?: number }
      state.listedFailing = true
      try {
        const runsBefore = state.listedFailingRuns ?? 0
        const errorsBefore = recorded.errors.length
        assert.equal((await send('/listed-failing/zzz')).status, 404)
        assert.equal((await send('/listed-failing/yyy')).status, 404)
        assert.equal(state.listedFailingRuns, runsBefore + 1)
        const logged = recorded.errors.slice(errorsBefore)
        assert.equal(logged.length, 1)
        assert.match(logged[0]!.message, /generating a path generateStaticParams\(\) lists for \/listed-failing\/\[id\].*failed; params off its list are not found/)
        assert.equal((logged[0]!.error as Error).message, 'database unavailable')
      } finally {
        state.listedFailing = false
      }
      // Once held off no more, the next one generates it: the route is static, the listed path a HIT.
      let offList = 0
      for (let attempt = 0; attempt < 50 && cacheState(await send('/listed-failing/a')) !== 'HIT'; attempt++) {
        offList = (await send('/listed-failing/zzz')).status
        await sleep(200)
      }
      assert.equal(cacheState(await send('/listed-failing/a')), 'HIT')
      assert.equal((await send('/listed-failing/zzz')).status, 404)
      assert.ok(offList === 0 || offList === 404, String(offList))
    })

    test('dynamicParams = false: a listed path whose generation hangs is given up at its maxDuration; other requests are not held by it (review)', async () => {
      const state = globalThis as { listedHanging?: boolean }
      state.listedHanging = true
      let first: Response
      try {
        first = await send('/listed-hanging/zzz')
      } finally {
        state.listedHanging = false
      }
      // The request's own budget (1 s) or the generation's, whichever ran out first.
      assert.ok(first.status === 404 || first.status === 504 || first.status === 500, String(first.status))
      await first.arrayBuffer()
      // Not held for good (it was: every request 504 until a restart); a request joining the
      // given-up generation as it ends gets its failure.
      let listed = await send('/listed-hanging/a')
      for (let attempt = 0; attempt < 20 && listed.status !== 200; attempt++) {
        await listed.arrayBuffer()
        await sleep(100)
        listed = await send('/listed-hanging/a')
      }
      assert.equal(listed.status, 200)
      assert.deepEqual(await body(listed), { id: 'a' })
    })

    test('revalidatePath() with the mount path in front (a path copied from a Next.js app) is warned about once; the folder path is not', async () => {
      const before = recorded.notes.length
      await admin({ path: '/tagged' })
      if (prefix) {
        // Neither spelling is a route's: nothing to say.
        await admin({ path: `${prefix}/no-such-route` })
        await admin({ path: `${prefix}/tagged` })
        await admin({ path: `${prefix}/tagged` })
      }
      const notes = recorded.notes.slice(before).filter((note) => note.includes('starts with the mount path'))
      assert.deepEqual(notes, prefix ? [`route-handlers: revalidatePath("${prefix}/tagged") starts with the mount path ${prefix}, but it takes the route folder's paths, without the mount path (as Next.js takes them without its basePath): "/tagged" names the route at ${prefix}/tagged. Said once for ${prefix}.`] : [])
    })

    test('dynamicParams = false: the answer of a listed path generated past its budget is cancelled, not left open (review)', async () => {
      const state = globalThis as { listedLateCancelled?: number }
      const before = state.listedLateCancelled ?? 0
      const first = await send('/listed-late/zzz')
      await first.arrayBuffer()
      assert.ok(first.status >= 400, String(first.status))
      let waited = 0
      while ((state.listedLateCancelled ?? 0) === before && waited++ < 50) await sleep(100)
      assert.equal(state.listedLateCancelled, before + 1)
    })

    test('an error status (not 404) from a path the build prerenders is served uncached and not kept, until it answers well; an on-demand path keeps its error as next start does (trial, review)', async () => {
      const state = globalThis as { failingFirstStatus?: number }
      state.failingFirstStatus = 503
      try {
        const first = await send('/failing-first')
        const second = await send('/failing-first')
        assert.deepEqual([first.status, cacheState(first), first.headers.get('cache-control')], [503, null, null])
        assert.deepEqual([second.status, cacheState(second)], [503, null])
        const secondRuns = (await body(second)).runs as number
        assert.equal(secondRuns, ((await body(first)).runs as number) + 1)
        // Requests that joined one generation share its answer (review: each ran it again after).
        const together = await Promise.all([send('/failing-first'), send('/failing-first'), send('/failing-first')])
        const runs = await Promise.all(together.map(async (response) => [response.status, cacheState(response), (await body(response)).runs]))
        assert.deepEqual(runs, Array.from({ length: 3 }, () => [503, null, secondRuns + 1]))
      } finally {
        state.failingFirstStatus = undefined
      }
      // Up again: nothing was decided for good.
      assert.deepEqual([(await send('/failing-first')).status, cacheState(await send('/failing-first'))], [200, 'HIT'])
      const onDemand = await send('/on-demand-error/x')
      assert.deepEqual([onDemand.status, cacheState(onDemand)], [500, 'MISS'])
      const again = await send('/on-demand-error/x')
      assert.deepEqual([again.status, cacheState(again)], [500, 'HIT'])
      assert.deepEqual(await body(again), await body(onDemand))
    })

    test('a HEAD that finds the entry stale has it regenerated by a GET, which the handler sees as a GET (review)', async () => {
      assert.equal(cacheState(await send('/head-alias')), 'MISS')
      await sleep(1100)
      assert.equal(cacheState(await send('/head-alias', { method: 'HEAD' })), 'STALE')
      let regenerated: Response | undefined
      for (let attempt = 0; attempt < 50; attempt++) {
        regenerated = await send('/head-alias')
        if (cacheState(regenerated) === 'HIT') break
        await regenerated.arrayBuffer()
        await sleep(50)
      }
      assert.equal(cacheState(regenerated!), 'HIT')
      assert.deepEqual(await body(regenerated!), { items: [1, 2, 3] })
    })

    test('dynamicParams = false: a listed path answering a status no prerender is kept of (410) leaves the route without its list: other params are served, uncached (review)', async () => {
      const before = recorded.errors.length
      const offList = await send('/listed-gone/zzz')
      assert.deepEqual([offList.status, cacheState(offList)], [200, null])
      assert.deepEqual(await body(offList), { id: 'zzz' })
      assert.equal(recorded.errors.length, before)
    })

    test('an outage that fails generateStaticParams too keeps nothing of the listed path (review)', async () => {
      const state = globalThis as { listedOutage?: boolean }
      state.listedOutage = true
      try {
        const down = await send('/listed-outage/a')
        assert.deepEqual([down.status, cacheState(down)], [503, null])
        await down.arrayBuffer()
      } finally {
        state.listedOutage = false
      }
      const up = await send('/listed-outage/a')
      assert.deepEqual([up.status, cacheState(up)], [200, 'MISS'])
      assert.equal(cacheState(await send('/listed-outage/a')), 'HIT')
    })

    test('dynamicParams = false beside an optional catch-all: the bare path is served only when listed (review)', async () => {
      assert.equal((await send('/opt-listed')).status, 404)
      const listed = await send('/opt-listed/a')
      assert.equal(listed.status, 200)
      assert.deepEqual(await body(listed), { slug: ['a'] })
    })

    test("a HEAD is answered from the GET's entry also when the file exports its own HEAD, as next start answers it (trial)", async () => {
      assert.equal(cacheState(await send('/own-head')), 'MISS')
      const head = await send('/own-head', { method: 'HEAD' })
      assert.equal(head.status, 200)
      assert.equal(cacheState(head), 'HIT')
      assert.equal(head.headers.get('x-head'), null)
      assert.equal(head.headers.get('content-type'), 'application/json')
    })

    test('a route with params and a revalidate alone (no generateStaticParams, not forced static) runs on every request, uncached, as next start runs it; forced static, it is cached', async () => {
      const first = await send('/revalidate-params/a')
      const second = await send('/revalidate-params/a')
      assert.equal(cacheState(first), null)
      assert.equal(cacheState(second), null)
      const [one, two] = [await body(first), await body(second)]
      assert.equal(two.runs, (one.runs as number) + 1)
      // Forced static, the same route shape is cached.
      assert.equal(cacheState(await send('/forced-params/a')), 'MISS')
      assert.equal(cacheState(await send('/forced-params/a')), 'HIT')
    })

    test('generateStaticParams alone: a param it does not list is generated on its first request and cached', async () => {
      const first = await send('/on-demand/zzz')
      assert.equal(cacheState(first), 'MISS')
      const again = await send('/on-demand/zzz')
      assert.equal(cacheState(again), 'HIT')
      assert.deepEqual(await body(again), await body(first))
    })

    test('concurrent misses for one key run the handler once', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () => send('/slow')))
      const bodies = await Promise.all(responses.map(body))
      for (const response of responses) assert.equal(cacheState(response), 'MISS')
      assert.equal(new Set(bodies.map((b) => JSON.stringify(b))).size, 1)
    })

    test('revalidate with dynamic = "auto": a handler reading headers() is dynamic, served uncached', async () => {
      const first = await send('/auto-dynamic', { headers: { 'x-test': 'one' } })
      const second = await send('/auto-dynamic', { headers: { 'x-test': 'two' } })
      assert.equal(cacheState(first), null)
      assert.equal(cacheState(second), null)
      const [a, b] = [await body(first), await body(second)]
      assert.equal(a.value, 'one')
      assert.equal(b.value, 'two')
      assert.equal(b.calls, (a.calls as number) + 1)
    })

    test('a file that also exports POST is never cached (Next\'s hasNonStaticMethods)', async () => {
      const first = await send('/with-post')
      assert.equal(cacheState(first), null)
      const a = await body(first)
      assert.deepEqual(await body(await send('/with-post')), { calls: (a.calls as number) + 1 })
    })

    test('dynamic = "error": reading request data fails as in Next.js', async () => {
      const response = await send('/dynamic-error')
      assert.equal(response.status, 500)
    })

    test('a failing regeneration keeps serving the stale entry, logs the error, and is tried again after 3 s, not on every request', async () => {
      const toggle = (fail: boolean) => send('/flaky-toggle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fail }) })
      await toggle(false)
      const first = await body(await send('/flaky'))
      await toggle(true)
      await sleep(1100)
      const errorsBefore = recorded.errors.length
      const stale = await send('/flaky')
      assert.equal(cacheState(stale), 'STALE')
      assert.deepEqual(await body(stale), first)
      assert.ok(await eventually(() => recorded.errors.length > errorsBefore))
      // Named by its URL path, the mount path included.
      assert.match(recorded.errors.at(-1)!.message, new RegExp(`regenerating the cached response of ${prefix}/flaky failed; the stale entry is served on, and regenerated again after 3 s`))
      // As Next's response cache retries: not before 3 s (the route's 1, raised to at least 3).
      // The entry stays stale meanwhile, and the handler is not run.
      for (let i = 0; i < 10; i++) {
        const again = await send('/flaky')
        assert.equal(cacheState(again), 'STALE')
        assert.deepEqual(await body(again), first)
      }
      assert.equal(recorded.errors.length, errorsBefore + 1)
      await toggle(false)
      await sleep(3100)
      assert.ok(await eventuallyAsync(async () => {
        const response = await send('/flaky')
        return cacheState(response) === 'HIT' && (await body(response)).calls !== first.calls
      }))
    })
  })
}

/** A store that rejects every call, or never answers. */
export class BrokenStore implements CacheHandler {
  readonly mode: 'reject' | 'hang'
  constructor(mode: 'reject' | 'hang') {
    this.mode = mode
  }
  #fail<T>(): Promise<T> {
    return this.mode === 'hang' ? new Promise<T>(() => {}) : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
  }
  get() {
    return this.#fail<null>()
  }
  set() {
    return this.#fail<void>()
  }
  revalidateTag() {
    return this.#fail<void>()
  }
}

export function runBrokenStoreBehaviour(name: string, start: StartTarget): void {
  for (const mode of ['reject', 'hang'] as const) {
    describe(`${name}: a cache store that ${mode === 'reject' ? 'rejects' : 'never answers'}`, () => {
      let target: Target
      const recorded = recordingLogger()
      before(async () => {
        target = await start('', CACHE_APP_DIR, { logger: recorded.logger, cache: { store: new BrokenStore(mode), timeout: 100 } })
      })
      after(() => target.close())

      test('requests are answered uncached, the outage logged once; a revalidation it cannot take fails the request (503)', async () => {
        const first = await target.send('/forever')
        const second = await target.send('/forever')
        for (const response of [first, second]) {
          assert.equal(response.status, 200)
          assert.equal(cacheState(response), null)
        }
        assert.notEqual(await first.text(), await second.text(), 'each request ran the handler')
        // Lost, it would leave every instance serving what it should clear while its caller (a CMS
        // webhook) took the 200 for done: the host answers the error, and the caller tries again.
        const revalidated = await target.send('/admin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'x', profile: 'max' }) })
        assert.equal(revalidated.status, 503)
        assert.doesNotMatch(await revalidated.text(), /revalidated/)
        assert.equal(recorded.errors.length, 1)
        const code = (recorded.errors[0]!.error as { code?: string }).code
        assert.equal(code, mode === 'reject' ? undefined : 'RH_ERR_CACHE_STORE_TIMEOUT')
        assert.match(recorded.errors[0]!.message, /RH_ERR_CACHE_STORE_FAILED|cache store failed/)
      })
    })
  }
}

/** Polls an async condition every 20 ms for up to three seconds. */
async function eventuallyAsync(condition: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (await condition()) return true
    await sleep(20)
  }
  return false
}
