/**
 * `waitUntil()` from `@vercel/functions` called by the app's own code (no route handler) while one
 * route-file request runs and the request store is off: its work is kept (`close()` waits for it),
 * and its failure is logged as no request's (a review found it logged as the running request's,
 * with that request's `reqId` on Fastify). Runs in its own process: the store must be off.
 */
import { waitUntil } from '@vercel/functions'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRouteHandlers } from '../lib/router.ts'
import { requestNamingLogger } from './helpers/request-logger.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const gates = globalThis as { __hold?: Promise<void>; __running?: () => void }

const dir = tempRouteFolder({
  'slow/route.ts': [
    'const gates = globalThis as { __hold?: Promise<void>; __running?: () => void }',
    'export async function GET() {',
    '  gates.__running?.()',
    '  await gates.__hold',
    "  return new Response('slow')",
    '}',
    '',
  ].join('\n'),
})

test("the app's own waitUntil() while one route request runs: its failure is no request's", { timeout: 20_000 }, async () => {
  const { lines, logger } = requestNamingLogger()
  let release = () => {}
  gates.__hold = new Promise<void>((resolve) => (release = resolve))
  const running = new Promise<void>((resolve) => (gates.__running = resolve))
  const routes = await createRouteHandlers({ dir, logger }).ready()
  const slow = routes.handle(new Request('http://localhost/slow'))
  await running
  waitUntil(Promise.reject(new Error('app work failed')))
  release()
  assert.equal(await (await slow)!.text(), 'slow')
  await routes.close()
  assert.deepEqual(lines, ['app: app work failed'])
})
