import assert from 'node:assert/strict'
import express from 'express'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from '../adapters/express.ts'
import { eventually } from './helpers/http.ts'
import { appErrorHandler, fastifyTarget, listen, quietLogger, type SocketTarget, type Target } from './helpers/targets.ts'

const DIR = fileURLToPath(new URL('./fixtures/fetch-app', import.meta.url))

/**
 * A local upstream that counts the requests for each path and answers the count; a path starting
 * with `/held` answers only once the test calls `release()`.
 */
async function countingUpstream(): Promise<{ server: Server; url: string; hits: Map<string, number>; release: () => void }> {
  const hits = new Map<string, number>()
  const held: (() => void)[] = []
  const server = createServer((req, res) => {
    const count = (hits.get(req.url!) ?? 0) + 1
    hits.set(req.url!, count)
    res.setHeader('content-type', 'application/json')
    const answer = () => res.end(JSON.stringify({ path: req.url, count }))
    if (req.url!.startsWith('/held')) held.push(answer)
    else answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const release = () => held.splice(0).forEach((answer) => answer())
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, release }
}

const heldFetch = () => ((globalThis as Record<string, unknown>).__heldFetch ?? { started: 0, controllers: [] }) as { started: number; controllers: AbortController[] }

/** Express with the route folder, and a legacy route of the app's own that uses fetch too. */
async function expressWithLegacyFetch(): Promise<SocketTarget> {
  const app = express()
  app.use(await routeHandlers({ dir: DIR, logger: quietLogger }).ready())
  app.get('/legacy', async (_req, res) => {
    const response = await fetch(`${process.env.FETCH_UPSTREAM}/legacy`, { next: { revalidate: 60 } } as RequestInit)
    res.json(await response.json())
  })
  app.use(appErrorHandler)
  return listen(app)
}

for (const [name, start] of [
  ['Express', expressWithLegacyFetch],
  ['Fastify', () => fastifyTarget('', DIR)],
] as const) {
  describe(`${name}: fetch() inside route handlers, cached as Next.js does`, () => {
    let upstream: Awaited<ReturnType<typeof countingUpstream>>
    let target: Target
    const hits = (path: string) => upstream.hits.get(path) ?? 0
    before(async () => {
      upstream = await countingUpstream()
      process.env.FETCH_UPSTREAM = upstream.url
      target = await start()
    })
    after(async () => {
      await target.close()
      upstream.server.closeAllConnections()
      upstream.server.close()
    })

    test('next.revalidate: the upstream is fetched once for two requests; revalidateTag refetches it', async () => {
      const first = await (await target.send('/cached')).json()
      const second = await (await target.send('/cached')).json()
      assert.deepEqual(second, first)
      assert.equal(hits('/cached'), 1)
      assert.equal((await target.send('/tagged-fetch', { method: 'POST' })).status, 200)
      await target.send('/cached')
      assert.equal(hits('/cached'), 2)
    })

    test('requests that miss one key at once fetch it once, and all answer with what it stored', async () => {
      const started = heldFetch().started
      const answers = Array.from({ length: 4 }, () => target.send('/held/held'))
      // Every handler has called fetch(): one is fetching, the others wait for it.
      assert.ok(await eventually(() => heldFetch().started === started + 4 && hits('/held') >= 1), 'four handlers fetching')
      upstream.release()
      const bodies = await Promise.all(answers.map(async (answer) => (await answer).json()))
      assert.equal(hits('/held'), 1)
      for (const body of bodies) assert.deepEqual(body, { upstream: { path: '/held', count: 1 } })
    })

    test('a miss waiting for another request\'s fetch of the key rejects when its own signal aborts', async () => {
      const { started, controllers } = heldFetch()
      const waited = controllers.length
      const leader = target.send('/held/held-abort')
      assert.ok(await eventually(() => heldFetch().started === started + 1 && hits('/held-abort') === 1), 'the leader fetching')
      const follower = target.send('/held/held-abort?abortable')
      assert.ok(await eventually(() => heldFetch().started === started + 2 && controllers.length === waited + 1), 'the follower waiting')
      // Aborted before the leader's answer comes: it answers with the abort, not the leader's data.
      controllers[waited]!.abort()
      upstream.release()
      assert.deepEqual(await (await follower).json(), { error: 'AbortError' })
      assert.deepEqual(await (await leader).json(), { upstream: { path: '/held-abort', count: 1 } })
      assert.equal(hits('/held-abort'), 1)
    })

    test('a miss after revalidateTag does not wait for a refresh started before it, and gets new data', async () => {
      const first = target.send('/held/held-stale?revalidate=1')
      assert.ok(await eventually(() => hits('/held-stale') === 1))
      upstream.release()
      assert.deepEqual(await (await first).json(), { upstream: { path: '/held-stale', count: 1 } })
      await sleep(1100)
      // Stale: answered at once, and refreshed in the background (held).
      assert.deepEqual(await (await target.send('/held/held-stale?revalidate=1')).json(), { upstream: { path: '/held-stale', count: 1 } })
      assert.ok(await eventually(() => hits('/held-stale') === 2), 'the refresh fetching')
      assert.equal((await target.send('/held/held-stale', { method: 'POST' })).status, 204)
      const fresh = target.send('/held/held-stale?revalidate=1')
      assert.ok(await eventually(() => hits('/held-stale') === 3), 'the miss fetching for itself')
      upstream.release()
      assert.deepEqual(await (await fresh).json(), { upstream: { path: '/held-stale', count: 3 } })
    })

    test('no options: not cached (Next.js 15+); cache: "force-cache": cached', async () => {
      await target.send('/plain')
      await target.send('/plain')
      assert.equal(hits('/plain'), 2)
      await target.send('/forced')
      await target.send('/forced')
      assert.equal(hits('/forced'), 1)
    })

    test('a stale fetch entry is used at once and refreshed in the background', async () => {
      const first = (await (await target.send('/stale')).json()) as { upstream: { count: number } }
      await sleep(1100)
      const stale = (await (await target.send('/stale')).json()) as { upstream: { count: number } }
      assert.equal(stale.upstream.count, first.upstream.count)
      for (let i = 0; i < 100 && hits('/stale') < 2; i++) await sleep(20)
      assert.equal(hits('/stale'), 2)
    })

    test('a route entry regenerated in the background fetches its stale fetch() again first, so the new entry holds new data', async () => {
      const first = await target.send('/regenerated')
      assert.equal(first.headers.get('x-nextjs-cache'), 'MISS')
      assert.deepEqual(await first.json(), { upstream: { path: '/regenerated', count: 1 } })
      assert.equal((await target.send('/regenerated-tag', { method: 'POST' })).status, 200)
      const stale = await target.send('/regenerated')
      assert.equal(stale.headers.get('x-nextjs-cache'), 'STALE')
      assert.deepEqual(await stale.json(), { upstream: { path: '/regenerated', count: 1 } })
      let latest: unknown
      for (let i = 0; i < 100; i++) {
        const response = await target.send('/regenerated')
        latest = { state: response.headers.get('x-nextjs-cache'), body: await response.json() }
        if ((latest as { state: string }).state === 'HIT') break
        await sleep(20)
      }
      // Before: a HIT with the stale upstream answer (count 1), the new one stored only under the fetch's key.
      assert.deepEqual(latest, { state: 'HIT', body: { upstream: { path: '/regenerated', count: 2 } } })
      assert.equal(hits('/regenerated'), 2)
    })

    test('a fetch\'s revalidate lowers the route\'s; a no-store fetch makes a revalidate route dynamic', async () => {
      const lowered = await target.send('/lowers')
      assert.equal(lowered.headers.get('x-nextjs-cache'), 'MISS')
      assert.equal(lowered.headers.get('cache-control'), 's-maxage=30, stale-while-revalidate=31535970')
      const dynamic = await target.send('/no-store-static')
      assert.equal(dynamic.headers.get('x-nextjs-cache'), null)
      await target.send('/no-store-static')
      assert.equal(hits('/no-store'), 2)
    })

    if (name === 'Express') {
      test('the app\'s own fetch calls, outside route handlers, are not cached', async () => {
        await target.send('/legacy')
        await target.send('/legacy')
        assert.equal(hits('/legacy'), 2)
        const init = { next: { revalidate: 60 } } as RequestInit
        await fetch(`${upstream.url}/outside`, init)
        await fetch(`${upstream.url}/outside`, init)
        assert.equal(hits('/outside'), 2)
      })
    }
  })
}
