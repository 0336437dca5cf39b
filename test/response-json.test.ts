/**
 * Issue 13: undici's `Response.json()` inside a route handler is answered as cheaply as
 * `NextResponse.json()` (no body stream built), with the same status, headers, bytes and errors;
 * anywhere else, and for a subclass, `Response.json` is undici's own.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createRouteHandlers } from '../lib/router.ts'
import { NextResponse, pendingJsonText } from '../lib/next/next-response.ts'
import { expressTarget, fastifyTarget, handleTarget, quietLogger, standaloneTarget, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  // Synchronous: the store is off (nothing imports next/headers), the handler call is the request.
  'sync/route.ts': "export function GET() { return Response.json({ hello: 'wörld' }, { status: 201, headers: { 'x-extra': '1' } }) }\n",
  'typed/route.ts': "export function GET() { return Response.json([1, 2], { headers: { 'content-type': 'application/vnd.api+json' } }) }\n",
  // What a handler can see of it: a Response like any other, readable as a stream too.
  'inspect/route.ts': [
    'export async function GET() {',
    '  const response = Response.json({ a: 1 })',
    '  const streamed = await new Response(response.clone().body).text()',
    '  return Response.json({',
    '    isResponse: response instanceof Response,',
    '    status: response.status,',
    "    type: response.headers.get('content-type'),",
    '    text: await response.text(),',
    '    streamed,',
    '    bodyUsed: response.bodyUsed,',
    '  })',
    '}',
    '',
  ].join('\n'),
  // The standard's errors, as undici gives them.
  'not-serializable/route.ts': 'export function GET() { return Response.json(undefined) }\n',
  'null-body-status/route.ts': 'export function GET() { return Response.json({}, { status: 204 }) }\n',
  'subclass/route.ts': [
    'class Tagged extends Response {}',
    'export function GET() {',
    '  const response = Tagged.json({ ok: true })',
    "  return new Response(Object.getPrototypeOf(response) === Response.prototype ? 'undici' : 'other')",
    '}',
    '',
  ].join('\n'),
})

const hosts: Array<[string, () => Promise<Target>]> = [
  ['Fastify', () => fastifyTarget('', dir, { logger: quietLogger })],
  ['Express', () => expressTarget('', dir, { logger: quietLogger })],
  ['standalone', () => standaloneTarget('', dir, { logger: quietLogger })],
  ['core', () => handleTarget('', dir, { logger: quietLogger })],
]

for (const [name, start] of hosts) {
  describe(`Response.json() in a route handler: ${name}`, () => {
    let target: Target
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    test('status, headers and bytes as undici makes them', async () => {
      const response = await target.send('/sync')
      assert.equal(response.status, 201)
      assert.equal(response.headers.get('content-type'), 'application/json')
      assert.equal(response.headers.get('x-extra'), '1')
      const bytes = Buffer.from(await response.arrayBuffer())
      assert.equal(bytes.toString(), '{"hello":"wörld"}')
      if (name !== 'core') assert.equal(response.headers.get('content-length'), String(bytes.byteLength))
      const typed = await target.send('/typed')
      assert.equal(typed.headers.get('content-type'), 'application/vnd.api+json')
      assert.equal(await typed.text(), '[1,2]')
    })

    test('the handler sees a Response, readable as text and as a stream', async () => {
      const response = await target.send('/inspect')
      assert.deepEqual(await response.json(), { isResponse: true, status: 200, type: 'application/json', text: '{"a":1}', streamed: '{"a":1}', bodyUsed: true })
    })

    test("the standard's errors: a value JSON cannot hold, a body on a null-body status → 500", async () => {
      assert.equal((await target.send('/not-serializable')).status, 500)
      assert.equal((await target.send('/null-body-status')).status, 500)
    })

    test("a subclass's json() is undici's", async () => {
      assert.equal(await (await target.send('/subclass')).text(), 'undici')
    })
  })
}

test("outside route handlers Response.json() is undici's own, even once route handlers run", async () => {
  const target = await handleTarget('', dir, { logger: quietLogger })
  try {
    await target.send('/sync')
    const response = Response.json({ outside: true })
    assert.equal(Object.getPrototypeOf(response), Response.prototype)
    assert.equal(response instanceof NextResponse, false)
    assert.equal(await response.text(), '{"outside":true}')
  } finally {
    await target.close()
  }
})

test('in a handler it is the lazy kind the hosts write from its text: no undici body stream is built', async () => {
  const routes = await createRouteHandlers({ dir, logger: quietLogger }).ready()
  const response = await routes.handle(new Request('http://localhost/sync'))
  assert.equal(pendingJsonText(response!), '{"hello":"wörld"}')
  await routes.close()
})
