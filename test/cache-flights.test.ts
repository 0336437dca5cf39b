/**
 * Regressions from the review of the caching work (issue 12), on background regenerations: a
 * request that misses while its route's stale entry is regenerated joined that regeneration,
 * which resolved nothing, and failed with a TypeError (500) — on Express and Fastify; and
 * `close()` resolved while a regeneration was still running (shutdown cut it short). Also: a
 * `generateStaticParams()` failure was kept for the life of the process.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRouteHandlers } from '../lib/index.ts'
import { expressTarget, fastifyTarget, quietLogger, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const FLIGHTS_DIR = tempRouteFolder({
  // Its second run (the background regeneration) waits until the test opens the gate.
  'slow/route.ts': `export const revalidate = 1
const gate = ((globalThis as Record<string, unknown>).__flightsGate ??= { calls: 0, open: () => {} }) as { calls: number; open: () => void }
export async function GET() {
  const call = ++gate.calls
  if (call % 10 === 2) await new Promise<void>((resolve) => (gate.open = resolve))
  return Response.json({ call })
}
`,
  // generateStaticParams fails once (its database not up yet), then lists one slug.
  'posts/[slug]/route.ts': `export const dynamic = 'force-static'
export const dynamicParams = false
let asked = 0
export async function generateStaticParams() {
  if (++asked === 1) throw new Error('the database is not up yet')
  return [{ slug: 'hello' }]
}
export function GET(_request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return params.then(({ slug }) => new Response(slug))
}
`,
  'expire/route.ts': `import { revalidatePath } from 'next/cache'
export async function POST() {
  revalidatePath('/slow')
  return new Response(null, { status: 204 })
}
`,
})

const gate = () => (globalThis as Record<string, unknown>).__flightsGate as { calls: number; open: () => void }

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: a miss during a background regeneration`, () => {
    let target: Target
    before(async () => {
      target = await start('', FLIGHTS_DIR, { logger: quietLogger })
      if (gate()) gate().calls = Math.ceil(gate().calls / 10) * 10
    })
    after(() => target.close())

    test('a request that misses (the entry expired by revalidatePath) while the stale entry regenerates is answered, not a 500', async () => {
      assert.equal((await target.send('/slow')).headers.get('x-nextjs-cache'), 'MISS')
      await sleep(1100)
      const stale = await target.send('/slow')
      assert.equal(stale.headers.get('x-nextjs-cache'), 'STALE', 'the regeneration starts, and waits at the gate')
      assert.equal((await target.send('/expire', { method: 'POST' })).status, 204)
      const pending = target.send('/slow')
      await sleep(50)
      gate().open()
      const missed = await pending
      assert.equal(missed.status, 200)
      assert.equal(missed.headers.get('x-nextjs-cache'), 'MISS')
    })

    test('a generateStaticParams that failed once is asked again: the failure is not kept for the life of the process', async () => {
      await target.send('/posts/hello')
      const retried = await target.send('/posts/hello')
      assert.equal(retried.status, 200)
      assert.equal(await retried.text(), 'hello')
      assert.equal((await target.send('/posts/other')).status, 404)
    })
  })
}

test('close() resolves once the background regeneration it finds running has settled', async () => {
  const routes = await createRouteHandlers({ dir: FLIGHTS_DIR, logger: quietLogger }).ready()
  if (gate()) gate().calls = Math.ceil(gate().calls / 10) * 10
  assert.equal((await routes.handle(new Request('http://localhost/slow')))?.headers.get('x-nextjs-cache'), 'MISS')
  await sleep(1100)
  assert.equal((await routes.handle(new Request('http://localhost/slow')))?.headers.get('x-nextjs-cache'), 'STALE')
  const order: string[] = []
  const closing = routes.close().then(() => order.push('closed'))
  await sleep(50)
  order.push('regeneration released')
  gate().open()
  await closing
  assert.deepEqual(order, ['regeneration released', 'closed'])
})
