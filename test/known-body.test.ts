/**
 * Issue 13: a Response made from a string or bytes is written from what it was made from, not
 * pumped through its stream; anything else, or a body someone started reading, is not.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { knownBody, knowsBodySources } from '../lib/known-body.ts'
import { expressTarget, fastifyTarget, standaloneTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'
import { NextResponse } from '../lib/next/next-response.ts'

test('a string, bytes and undici Response.json() bodies are known where undici shows its body state; elsewhere none is', (context) => {
  if (!knowsBodySources) {
    // Node 24+: the fast path is off and every body goes through its stream (the HTTP tests below).
    for (const response of [new Response('hello'), Response.json({ ok: true }), new Response(new Uint8Array([1]))]) assert.equal(knownBody(response), undefined)
    context.diagnostic(`undici ${process.versions.undici} keeps no readable body state: the fast path is off`)
    return
  }
  assert.equal(knownBody(new Response('hello')), 'hello')
  assert.equal(knownBody(new NextResponse('from NextResponse')), 'from NextResponse')
  assert.equal(Buffer.from(knownBody(Response.json({ ok: true })) as Uint8Array).toString(), '{"ok":true}')
  assert.deepEqual([...(knownBody(new Response(new Uint8Array([1, 2, 3]))) as Uint8Array)], [1, 2, 3])
  assert.equal(knownBody(new Response(new URLSearchParams({ a: '1' }))), 'a=1')
})

test('streams, blobs, empty bodies and bodies already read or locked are not', async () => {
  assert.equal(knownBody(new Response(new ReadableStream())), undefined)
  assert.equal(knownBody(new Response(new Blob(['x']))), undefined)
  assert.equal(knownBody(new Response(null)), undefined)
  const read = new Response('read')
  await read.text()
  assert.equal(knownBody(read), undefined)
  const locked = new Response('locked')
  locked.body!.getReader()
  assert.equal(knownBody(locked), undefined)
})

// Review of issue 13: reading a clone of a Response made from bytes (undici's Response.json(),
// new Response(uint8Array)) detaches the bytes both copies were made from (Node 20's undici moves
// the buffer into the stream it reads); the copy left unread still holds them in its stream.
describe('a Response whose bytes a read clone took is written from its stream, whole (issue 13 review)', () => {
  const dir = tempRouteFolder({
    'logged/route.ts': [
      'export async function GET(request: Request) {',
      "  const kind = new URL(request.url).searchParams.get('kind')",
      "  const response = kind === 'json' ? Response.json({ ok: 'yes' }) : new Response(new Uint8Array([104, 105]), { headers: { 'content-type': 'text/plain' } })",
      "  if (kind === 'read-original') {",
      '    const copy = response.clone()',
      '    await response.arrayBuffer()',
      '    return copy',
      '  }',
      '  // What a logging wrapper does: look at a copy, return the original.',
      '  await response.clone().arrayBuffer()',
      '  return response',
      '}',
      '',
    ].join('\n'),
  })
  const hosts: Array<[string, () => Promise<SocketTarget>]> = [
    ['Fastify', () => fastifyTarget('', dir)],
    ['Express', () => expressTarget('', dir)],
    ['standalone', () => standaloneTarget('', dir)],
  ]
  for (const [name, start] of hosts) {
    test(name, async () => {
      const target = await start()
      try {
        for (const [kind, expected] of [['json', '{"ok":"yes"}'], ['bytes', 'hi'], ['read-original', 'hi']]) {
          const response = await target.send(`/logged?kind=${kind}`)
          assert.equal(`${response.status} ${await response.text()}`, `200 ${expected}`, kind)
        }
      } finally {
        await target.close()
      }
    })
  }

  test('knownBody() leaves such a body to its stream', async () => {
    const response = Response.json({ ok: true })
    await response.clone().arrayBuffer()
    assert.equal(knownBody(response), undefined)
  })
})
