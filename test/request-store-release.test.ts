/**
 * Issue 12: generating a cached GET's entry turns the request store (the AsyncLocalStorage) on
 * while it runs; in a process where nothing else needs the store (no module imported
 * `next/headers`, `next/navigation` or `next/cache`, no `after()` call) it goes off again
 * afterwards, so the cached answers served after it do not pay for Node 20/22's async hooks. This
 * file runs in its own process, and imports nothing that turns the store on for good.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { requestStorage } from '../lib/context.ts'
import { createRouteHandlers } from '../lib/router.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  // A generation that runs across turns: the store must stay on until its body has been read.
  'cached/route.ts': [
    "import { NextResponse } from 'next/server'",
    'export const revalidate = 60',
    'let generated = 0',
    'export async function GET() {',
    '  await new Promise((resolve) => setTimeout(resolve, 5))',
    '  return NextResponse.json({ generated: ++generated })',
    '}',
    '',
  ].join('\n'),
  // Reading the request's headers during generation makes the route dynamic, which the generation
  // learns from the store: every request then gets its own answer, and the store stays on (the
  // answer's body may be streamed by code reading it).
  'reads-headers/route.ts': [
    'export const revalidate = 60',
    'export async function GET(request: Request) {',
    '  await Promise.resolve()',
    "  return new Response(request.headers.get('x-who') ?? 'nobody')",
    '}',
    '',
  ].join('\n'),
  'uses-after/route.ts': [
    "import { after } from 'next/server'",
    'export const revalidate = 60',
    'export async function GET() {',
    "  after(() => void ((globalThis as { afterRan?: boolean }).afterRan = true))",
    "  return new Response('with after')",
    '}',
    '',
  ].join('\n'),
})

// Node 20 and 22 implement AsyncLocalStorage with async hooks and say whether it is on; later lines
// use AsyncContextFrame, which costs nothing while on and is left alone.
const storeIsOn = (): boolean | undefined => (requestStorage as { enabled?: boolean }).enabled
const quietLogger = { warn() {}, error() {} }

describe('the request store after a cached GET is generated (issue 12)', () => {
  const routes = createRouteHandlers({ dir, logger: quietLogger })
  const get = async (path: string, headers?: Record<string, string>) => {
    const response = (await routes.handle(new Request(`http://localhost${path}`, { headers })))!
    return [response.headers.get('x-nextjs-cache'), await response.text()]
  }

  test('a MISS generates with the store on, then HITs are served with it off again', async () => {
    await routes.ready()
    assert.notEqual(storeIsOn(), true)
    const [first, second] = await Promise.all([get('/cached'), get('/cached')])
    assert.deepEqual(first, ['MISS', '{"generated":1}'])
    assert.deepEqual(second, ['MISS', '{"generated":1}'])
    assert.deepEqual(await get('/cached'), ['HIT', '{"generated":1}'])
    if (storeIsOn() !== undefined) assert.equal(storeIsOn(), false)
  })

  test('what the generation learns from the store still holds: a route reading headers is dynamic, and keeps the store on', async () => {
    assert.deepEqual(await get('/reads-headers', { 'x-who': 'ada' }), [null, 'ada'])
    assert.deepEqual(await get('/reads-headers', { 'x-who': 'grace' }), [null, 'grace'])
    if (storeIsOn() !== undefined) assert.equal(storeIsOn(), true)
  })

  test('after() in a generation: its callback runs, and the entry is cached', async () => {
    assert.deepEqual(await get('/uses-after'), ['MISS', 'with after'])
    await routes.close()
    assert.equal((globalThis as { afterRan?: boolean }).afterRan, true)
    assert.deepEqual(await get('/uses-after'), ['HIT', 'with after'])
  })
})
