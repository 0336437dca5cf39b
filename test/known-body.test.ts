/**
 * Issue 13: a Response made from a string or bytes is written from what it was made from, not
 * pumped through its stream; anything else, or a body someone started reading, is not.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { knownBody } from '../lib/known-body.ts'
import { NextResponse } from '../lib/next/next-response.ts'

test('a string, bytes and undici Response.json() bodies are known', () => {
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
