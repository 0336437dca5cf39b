/**
 * after() in a process where nothing loads next/headers or next/navigation, so handlers run outside
 * the AsyncLocalStorage until after() is first called (context.ts): that first call still finds
 * its request, or waits for every request that could have made it. Its own file: the store must
 * start off, and nothing here may import next/headers.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { createRouteHandlers } from '../lib/index.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

interface Log {
  events: string[]
  waiting: Array<() => void>
}
const log: Log = ((globalThis as Record<string, unknown>).__warmUp = { events: [], waiting: [] })

const dir = tempRouteFolder({
  'late/route.ts': `
import { after } from 'next/server'
export async function GET(request: Request) {
  const { events, waiting } = (globalThis as any).__warmUp
  const name = new URL(request.url).searchParams.get('name')
  // Called after an await: only the request store (or the warm-up set) can tell which request this is.
  await new Promise<void>((resolve) => waiting.push(resolve))
  after(() => events.push('after ' + name))
  return new Response(name)
}
`,
})

async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await nextTurn()
}

describe('after() before the request store is on', () => {
  test('two requests in flight at the first call: callbacks wait for both responses', async () => {
    const routes = await createRouteHandlers({ dir }).ready()
    const first = routes.handle(new Request('http://localhost/late?name=a'))
    const second = routes.handle(new Request('http://localhost/late?name=b'))
    await settle()
    assert.equal(log.waiting.length, 2)
    for (const resume of log.waiting.splice(0)) resume()
    const [a, b] = await Promise.all([first, second])
    await settle()
    assert.deepEqual(log.events, [])
    assert.equal(await a!.text(), 'a')
    await settle()
    // a's call was the first: which of the two requests made it was unknown, so its callback
    // waits for b's response too. (b's call came once the store was on and a had returned.)
    assert.deepEqual(log.events, [])
    assert.equal(await b!.text(), 'b')
    await routes.close()
    assert.deepEqual(log.events, ['after a', 'after b'])
  })

  test('from then on handlers run inside the store: each callback waits for its own response', async () => {
    log.events.length = 0
    const routes = await createRouteHandlers({ dir }).ready()
    const first = routes.handle(new Request('http://localhost/late?name=c'))
    const second = routes.handle(new Request('http://localhost/late?name=d'))
    await settle()
    for (const resume of log.waiting.splice(0)) resume()
    const [c, d] = await Promise.all([first, second])
    assert.equal(await c!.text(), 'c')
    await settle()
    assert.deepEqual(log.events, ['after c'])
    assert.equal(await d!.text(), 'd')
    await routes.close()
    assert.deepEqual(log.events, ['after c', 'after d'])
  })
})
