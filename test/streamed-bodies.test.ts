// Streamed bodies through every Node host, byte for byte: a response made of many chunks (some
// empty, some strings' bytes) and an upload read as a stream; a download held back by a client
// that reads nothing, and one the client leaves. Pins the streaming paths tuned for issue 13
// (Fastify's reader-backed Node stream written straight to the response, the request body that
// keeps flowing).
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { eventually } from './helpers/http.ts'
import { expressTarget, fastifyTarget, standaloneTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const CHUNK_COUNT = 64
const COUNTED_CHUNKS = 1024
const countedStreams = ((globalThis as { __countedStreams?: Map<string, { pulls: number; cancelled: boolean }> }).__countedStreams ??= new Map())
const dir = tempRouteFolder({
  'chunks/route.ts': `
export function GET() {
  const encoder = new TextEncoder()
  let index = 0
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (index === ${CHUNK_COUNT}) return controller.close()
        // An empty chunk now and then: it must neither end the body nor stall it.
        controller.enqueue(index % 8 === 3 ? new Uint8Array(0) : encoder.encode(String(index % 10).repeat(64 * 1024)))
        index++
      },
    }),
  )
}
`,
  // 64 MiB in 64 KiB chunks, counting its pulls and noting its cancel under the id it is asked for.
  'counted/route.ts': `
const seen = ((globalThis as { __countedStreams?: Map<string, { pulls: number; cancelled: boolean }> }).__countedStreams ??= new Map())
export function GET(request: Request) {
  const entry = { pulls: 0, cancelled: false }
  seen.set(new URL(request.url).searchParams.get('id') ?? '', entry)
  const chunk = new Uint8Array(64 * 1024).fill(120)
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (entry.pulls === ${COUNTED_CHUNKS}) return controller.close()
        entry.pulls++
        controller.enqueue(chunk.slice())
      },
      cancel() {
        entry.cancelled = true
      },
    }),
  )
}
`,
  'count/route.ts': `
export async function POST(request: Request) {
  let size = 0
  let sum = 0
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    for (const byte of chunk) sum = (sum + byte) % 1_000_003
  }
  return Response.json({ size, sum })
}
`,
})

// Download routes as real apps write them: a Node file stream as the body (undici makes it a byte
// stream pulled from the stream's async iterator), with its length; one under a time budget and
// one with after() work, which wrap the body.
const fileRoute = (top: string, first = '') => `
import { createReadStream, statSync } from 'node:fs'
${top}
export async function GET() {
  ${first}
  const path = new URL('../file.txt', import.meta.url).pathname
  return new Response(createReadStream(path) as unknown as BodyInit, {
    headers: { 'content-type': 'text/plain', 'content-length': String(statSync(path).size) },
  })
}
`
const fileDir = tempRouteFolder({
  'file.txt': 'hello from a file\n',
  'plain/route.ts': fileRoute(''),
  'budgeted/route.ts': fileRoute('export const maxDuration = 30'),
  'with-after/route.ts': fileRoute("import { after } from 'next/server'", 'after(() => {})'),
})

/** GET over a fresh connection, closed as soon as the whole body is there (as curl does); the body. */
function getAndHangUp(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`))
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      received += chunk
      const end = received.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(received)
      if (end === -1 || !length) return
      const body = received.slice(end + 4)
      if (Buffer.byteLength(body) < Number(length[1])) return
      socket.destroy()
      resolve(body)
    })
    socket.on('error', reject)
  })
}

/** Resolves once `sample()` has given the same value for 10 checks in a row, 20 ms apart; that value. */
async function settled(sample: () => number): Promise<number> {
  let last = sample()
  for (let same = 0; same < 10; ) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    const now = sample()
    same = now === last ? same + 1 : 0
    last = now
  }
  return last
}

/**
 * A raw GET of `/api/counted` whose socket reads nothing until `resume()`; `received()` counts the
 * response's bytes (head included) from then on.
 */
async function pausedDownload(port: number, id: string) {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  socket.pause()
  let received = 0
  socket.on('data', (chunk: Buffer) => (received += chunk.byteLength))
  socket.write(`GET /api/counted?id=${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
  const closed = new Promise((resolve) => socket.once('close', resolve))
  return { socket, closed, received: () => received }
}

function expectedDownload(): Buffer {
  const parts: Buffer[] = []
  for (let index = 0; index < CHUNK_COUNT; index++) if (index % 8 !== 3) parts.push(Buffer.from(String(index % 10).repeat(64 * 1024)))
  return Buffer.concat(parts)
}

for (const [name, start] of [
  ['standalone', (folder = dir) => standaloneTarget('/api', folder)],
  ['Express', (folder = dir) => expressTarget('/api', folder)],
  ['Fastify', (folder = dir) => fastifyTarget('/api', folder)],
] as const) {
  describe(`streamed bodies on ${name}`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    it('sends a many-chunk response byte for byte, empty chunks included', async () => {
      const response = await target.send('/chunks')
      assert.equal(response.status, 200)
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), expectedDownload())
    })

    // Trial: the process died ("ReadableStream is already closed", uncaught) on Node 20-24 after
    // a few such requests: the client's close cancelled the body while the read of the file's
    // end was in flight.
    it('a file stream body survives clients that hang up once they have its length in bytes', async () => {
      const files = await start(fileDir)
      try {
        for (const route of ['plain', 'budgeted', 'with-after']) {
          for (let round = 0; round < 25; round++) assert.equal(await getAndHangUp(files.port, `/api/${route}`), 'hello from a file\n')
        }
        const response = await files.send('/plain')
        assert.equal(await response.text(), 'hello from a file\n')
      } finally {
        await files.close()
      }
    })

    // A client that reads nothing holds the handler's stream back: its pulls stop at what the
    // socket buffers hold (a few MiB on loopback), far below the 64 MiB body; read, every byte comes.
    it('a client that reads nothing holds back the handler stream; read, the whole body arrives', async () => {
      const id = `${name}-paused`
      const download = await pausedDownload(target.port, id)
      assert.ok(await eventually(() => countedStreams.has(id)))
      const stream = countedStreams.get(id)!
      const held = await settled(() => stream.pulls)
      assert.ok(held < COUNTED_CHUNKS / 4, `${held} of ${COUNTED_CHUNKS} chunks were pulled by a client reading nothing`)
      download.socket.resume()
      await download.closed
      assert.equal(stream.pulls, COUNTED_CHUNKS)
      assert.ok(download.received() > COUNTED_CHUNKS * 64 * 1024, `${download.received()} bytes received`)
      assert.equal(stream.cancelled, false)
    })

    it('a client that leaves in the middle of a download cancels the handler stream, and nothing more is pulled', async () => {
      const id = `${name}-left`
      const download = await pausedDownload(target.port, id)
      download.socket.resume()
      assert.ok(await eventually(() => download.received() > 1024 * 1024))
      download.socket.destroy()
      assert.ok(await eventually(() => countedStreams.get(id)?.cancelled === true), 'the stream was not cancelled')
      const stream = countedStreams.get(id)!
      const pulled = stream.pulls
      assert.ok(pulled < COUNTED_CHUNKS, `all ${pulled} chunks were pulled`)
      assert.equal(await settled(() => stream.pulls), pulled)
    })

    it('reads a 6 MiB upload as a stream byte for byte', async () => {
      const body = Buffer.alloc(6 * 1024 * 1024)
      for (let index = 0; index < body.length; index++) body[index] = (index * 7) % 251
      let sum = 0
      for (const byte of body) sum = (sum + byte) % 1_000_003
      const response = await target.send('/count', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
      assert.equal(response.status, 200)
      assert.deepEqual(await response.json(), { size: body.length, sum })
    })
  })
}
