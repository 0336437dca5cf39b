import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, test } from 'node:test'
import type { CacheHandlerClass } from '../lib/index.ts'
import { CACHE_APP_DIR } from './helpers/cache-behaviour.ts'
import { expressTarget, fastifyTarget, type Target } from './helpers/targets.ts'

const require = createRequire(import.meta.url)
// What a user writes: the module their Next app's next.config.js names in `cacheHandler`.
const NextDocsHandler = require('./fixtures/cache-handlers/next-docs-handler.cjs') as CacheHandlerClass & { lastOptions?: Record<string, unknown> }

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: a third-party Next.js cacheHandler (Next's docs example, CommonJS) plugged in unchanged`, () => {
    let target: Target
    const admin = (payload: Record<string, unknown>) =>
      target.send('/admin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
    before(async () => {
      target = await start('', CACHE_APP_DIR, { cache: { store: NextDocsHandler, maxBytes: 1_000_000 } })
    })
    after(() => target.close())

    test('it is constructed with a Next.js CacheHandlerContext', () => {
      assert.equal(NextDocsHandler.lastOptions?.maxMemoryCacheSize, 1_000_000)
      assert.deepEqual(NextDocsHandler.lastOptions?.revalidatedTags, [])
    })

    test('MISS then HIT through it; revalidatePath and revalidateTag reach its entries', async () => {
      // The handler's Map is shared by every instance of the class: clear what another host left.
      await admin({ path: '/forever' })
      await admin({ tag: 'posts', profile: 'max' })
      assert.equal((await target.send('/forever')).headers.get('x-nextjs-cache'), 'MISS')
      assert.equal((await target.send('/forever')).headers.get('x-nextjs-cache'), 'HIT')
      await admin({ path: '/forever' })
      assert.equal((await target.send('/forever')).headers.get('x-nextjs-cache'), 'MISS')

      const tagged = await (await target.send('/tagged')).json()
      assert.equal((await target.send('/tagged')).headers.get('x-nextjs-cache'), 'HIT')
      await admin({ tag: 'posts', profile: 'max' })
      const after = await target.send('/tagged')
      assert.equal(after.headers.get('x-nextjs-cache'), 'MISS', 'the handler deleted the tagged entries')
      assert.notDeepEqual(await after.json(), tagged)
    })
  })
}
