// Streamed bodies through every Node host, byte for byte: a response made of many chunks (some
// empty, some strings' bytes) and an upload read as a stream. Pins the streaming paths tuned for
// issue 13 (Fastify's reader-backed Node stream, the request body that keeps flowing).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { expressTarget, fastifyTarget, standaloneTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const CHUNK_COUNT = 64
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

function expectedDownload(): Buffer {
  const parts: Buffer[] = []
  for (let index = 0; index < CHUNK_COUNT; index++) if (index % 8 !== 3) parts.push(Buffer.from(String(index % 10).repeat(64 * 1024)))
  return Buffer.concat(parts)
}

for (const [name, start] of [
  ['standalone', () => standaloneTarget('', dir)],
  ['Express', () => expressTarget('/api', dir)],
  ['Fastify', () => fastifyTarget('/api', dir)],
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
