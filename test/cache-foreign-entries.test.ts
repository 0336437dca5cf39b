/**
 * Entries written by someone else: another version of the package, or `next start` on the same
 * store, which keeps a route's headers in the entry as they were and drops `Content-Encoding` and
 * `Content-Length` only when it sends one (review). A `return fetch(gzipUpstream)` entry holds the
 * body fetch() decoded under the upstream's encoding and encoded length: replayed with them, a
 * browser fails to decode it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { MemoryCacheHandler } from '../lib/index.ts'
import { expressTarget, fastifyTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const TEXT = 'the upstream answer, decoded by fetch() '.repeat(50)
const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x01])

/** Stores each route entry as next start (or a version before this fix) would have: encoded headers over decoded bytes. */
class EncodedEntries extends MemoryCacheHandler {
  override async set(key: string, data: Parameters<MemoryCacheHandler['set']>[1]): Promise<void> {
    if (data?.kind === 'APP_ROUTE') data = { ...data, headers: { ...data.headers, 'content-encoding': 'gzip', 'content-length': '31' } }
    return super.set(key, data)
  }
}

const dir = tempRouteFolder({
  'text/route.ts': `export const revalidate = 60\nexport function GET() { return new Response(${JSON.stringify(TEXT)}, { headers: { 'content-type': 'text/plain' } }) }\n`,
  // Not UTF-8: replayed through a Response of its own rather than as text.
  'bytes/route.ts': `export const revalidate = 60\nexport function GET() { return new Response(new Uint8Array(${JSON.stringify([...BYTES])}), { headers: { 'content-type': 'image/png' } }) }\n`,
})

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: a stored entry holding Content-Encoding and an encoded Content-Length`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start('/api', dir, { cache: { store: new EncodedEntries() } })
    })
    after(() => target.close())

    for (const [path, expected] of [['/text', Buffer.from(TEXT)], ['/bytes', BYTES]] as const) {
      test(`${path}: is replayed without them, its body whole`, async () => {
        await (await target.send(path)).arrayBuffer()
        const hit = await target.send(path)
        assert.equal(hit.headers.get('x-nextjs-cache'), 'HIT')
        assert.equal(hit.headers.get('content-encoding'), null)
        assert.equal(hit.headers.get('content-length'), String(expected.byteLength))
        assert.deepEqual(Buffer.from(await hit.arrayBuffer()), expected)
      })
    }
  })
}
