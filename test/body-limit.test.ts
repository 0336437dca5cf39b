/**
 * The default limit on buffered body reads (issue 10 #15): 1 MiB on every host (Fastify: its own
 * `bodyLimit`, 1 MiB by default), where Next.js route handlers have none; `bodyLimit: Infinity`
 * reads as Next.js does. Documented in the README's "Differences from Next.js".
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { APP_DIR, appErrorHandler, fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'

const MiB = 1024 * 1024

const hosts: Record<string, (bodyLimit?: number) => Promise<SocketTarget>> = {
  Express: async (bodyLimit) => {
    const app = express()
    app.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger, ...(bodyLimit === undefined ? {} : { bodyLimit }) }).ready())
    app.use(appErrorHandler)
    return listen(app)
  },
  Fastify: async (bodyLimit) => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: quietLogger, ...(bodyLimit === undefined ? {} : { bodyLimit }) })
    return fastifyListening(app)
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: the default body limit`, () => {
    let byDefault: SocketTarget
    let unlimited: SocketTarget
    before(async () => {
      byDefault = await start()
      unlimited = await start(Infinity)
    })
    after(async () => {
      await byDefault.close()
      await unlimited.close()
    })
    const digest = (target: SocketTarget, size: number) => target.send('/bodies/digest', { method: 'POST', body: randomBytes(size) })

    test('buffered reads are limited to 1 MiB by default, where Next.js has no limit (issue 10 #15)', async () => {
      const within = await digest(byDefault, MiB)
      assert.equal(within.status, 200)
      assert.equal(((await within.json()) as { size: number }).size, MiB)
      assert.equal((await digest(byDefault, MiB + 1)).status, 413)
    })

    // Trial (umami reads every body as `request.clone().json()`): a copy's reads are limited too.
    test('a clone reads within the same limit; the original stays readable after it', async () => {
      const cloned = (size: number, query = '') =>
        byDefault.send(`/bodies/cloned${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(size) }) })
      const within = await cloned(1000, '?original')
      assert.equal(within.status, 200)
      assert.deepEqual(await within.json(), { copy: 1000, original: 1000 })
      assert.equal((await cloned(3 * MiB)).status, 413)
    })

    test('bodyLimit: Infinity reads any size, as Next.js does (issue 10 #15)', async () => {
      const big = await digest(unlimited, 3 * MiB)
      assert.equal(big.status, 200)
      assert.equal(((await big.json()) as { size: number }).size, 3 * MiB)
    })
  })
}
