/**
 * The first `after()` ever, made while the request store is off and two requests run, fails: its
 * failure is logged as no request's, since which of them called is not known (a review found it
 * logged as the request that happened to answer last, with that request's `reqId` on Fastify).
 * Runs in its own process: the store must be off when it starts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRouteHandlers } from '../lib/router.ts'
import { requestNamingLogger } from './helpers/request-logger.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const gates = globalThis as { __holdB?: Promise<void>; __bRunning?: () => void }

const dir = tempRouteFolder({
  'a/route.ts': [
    "import { after } from 'next/server'",
    'export async function GET() {',
    // After an await: outside the handler's synchronous start, where the caller is known.
    '  await new Promise((resolve) => setTimeout(resolve, 1))',
    "  after(() => { throw new Error('a failed after') })",
    "  return new Response('a')",
    '}',
    '',
  ].join('\n'),
  'b/route.ts': [
    'const gates = globalThis as { __holdB?: Promise<void>; __bRunning?: () => void }',
    'export async function GET() {',
    '  gates.__bRunning?.()',
    '  await gates.__holdB',
    "  return new Response('b')",
    '}',
    '',
  ].join('\n'),
})

test('the failure of a first after() while two requests run is logged as no request’s', { timeout: 20_000 }, async () => {
  const { lines, logger } = requestNamingLogger()
  let releaseB = () => {}
  gates.__holdB = new Promise<void>((resolve) => (releaseB = resolve))
  const bRunning = new Promise<void>((resolve) => (gates.__bRunning = resolve))
  const routes = await createRouteHandlers({ dir, logger }).ready()
  const b = routes.handle(new Request('http://localhost/b'))
  await bRunning
  // A answers first; its task waits for B's response too, and runs once B has answered.
  assert.equal(await (await routes.handle(new Request('http://localhost/a')))!.text(), 'a')
  releaseB()
  assert.equal(await (await b)!.text(), 'b')
  await routes.close()
  assert.deepEqual(lines, ['app: a failed after'])
})
