/**
 * Cancelling a handler's response body (the client left) while a read of it is in flight. On a
 * byte stream undici made from an async iterable (`new Response(fs.createReadStream(path))`), a
 * cancel then killed the process on Node 20-24 (trial); any other stream must still hear of a
 * cancel at once, even one that never enqueues (an idle event stream).
 */
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { bodyReader } from '../lib/body/body-reader.ts'

test("a handler's own stream hears of a cancel at once, with a read in flight that never ends", async () => {
  let cancelled: unknown
  const idle = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}), cancel: (reason) => void (cancelled = reason) })
  const reader = bodyReader(idle)
  void reader.read()
  await reader.cancel('client left')
  assert.equal(cancelled, 'client left')
})

// undici before Node 26 makes such a body a byte stream (the one that crashed); Node 26's closes it
// safely, and every stream is cancelled at once there.
test("an async iterable's body: on a byte stream a cancel waits for the read in flight, and is made when that read was not the end", async () => {
  let destroyed = false
  let release = (): void => {}
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      yield new Uint8Array([1])
      await new Promise<void>((resolve) => (release = resolve))
      yield new Uint8Array([2])
      yield new Uint8Array([3])
    } finally {
      destroyed = true
    }
  }
  const body = new Response(Readable.from(source()) as unknown as BodyInit).body!
  const reader = bodyReader(body)
  assert.deepEqual([...((await reader.read()).value ?? [])], [1])
  const inFlight = reader.read()
  const cancelling = reader.cancel()
  release()
  if (isByteStream(body) && Number(process.versions.node.split('.')[0]) < 26) assert.deepEqual([...((await inFlight).value ?? [])], [2])
  else assert.equal((await inFlight).done, true)
  await cancelling
  assert.equal(destroyed, true)
})

// Asked of a locked stream: its controller's kind, as the package finds it.
function isByteStream(body: ReadableStream): boolean {
  const key = Object.getOwnPropertySymbols(body).find((symbol) => symbol.description === 'kState')
  return (body as unknown as Record<symbol, { controller?: unknown }>)[key!]?.controller instanceof ReadableByteStreamController
}

// Review: the held-back cancel kept a proxied upstream open as long as it stayed quiet.
test('a fetch() body is cancelled at once, with a read in flight: the upstream connection is let go', async () => {
  const { createServer } = await import('node:http')
  let upstreamClosed = false
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: one\n\n')
    res.on('close', () => void (upstreamClosed = true))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = upstream.address() as { port: number }
    const { patchFetch } = await import('../lib/cache/patch-fetch.ts')
    patchFetch()
    const response = await fetch(`http://127.0.0.1:${port}/`)
    const reader = bodyReader(response.body!)
    await reader.read()
    void reader.read()
    void reader.cancel('client left')
    for (let tries = 0; !upstreamClosed && tries < 150; tries++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(upstreamClosed, true)
  } finally {
    upstream.closeAllConnections()
    await new Promise((resolve) => upstream.close(resolve))
  }
})
