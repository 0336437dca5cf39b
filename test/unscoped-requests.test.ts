/**
 * Requests whose handlers run outside the request store (nothing imported `next/headers`,
 * `next/navigation` or `next/cache`) are listed while they run, for a first `after()` to find its
 * request. Runs in its own process: the store must be off when it starts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRouteHandlers } from '../lib/router.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  // A result whose `then` getter throws: the handler's failure, and its request must not stay
  // listed as running (an `after()` elsewhere would wait for its response forever).
  'bad-then/route.ts': "export function GET() { return { get then() { throw new Error('then getter') } } }\n",
  'with-after/route.ts': [
    "import { after } from 'next/server'",
    'export function GET() {',
    '  after(() => void ((globalThis as { afterRan?: boolean }).afterRan = true))',
    "  return new Response('with after')",
    '}',
    '',
  ].join('\n'),
})

test('a handler result whose then getter throws fails its request, which then leaves: a later after() runs', { timeout: 20_000 }, async () => {
  const routes = createRouteHandlers({ dir, logger: { warn() {}, error() {} } })
  await routes.ready()
  await assert.rejects(routes.handle(new Request('http://localhost/bad-then')), /then getter/)
  const response = (await routes.handle(new Request('http://localhost/with-after')))!
  assert.equal(await response.text(), 'with after')
  await routes.close()
  assert.equal((globalThis as { afterRan?: boolean }).afterRan, true)
})
