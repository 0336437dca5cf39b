/**
 * Tools that watch a request body go by rather than read it: @sentry/node's httpIntegration
 * replaces `req.on` on each request so that its `data` listeners also copy the chunks, and an
 * error event then carries the body. A trial found route-file errors reported without it: small
 * bodies were taken from Node's buffer in one `read()`, which no listener sees.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { APP_DIR, fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'

type Listener = (...args: unknown[]) => void

/** Patches `req.on` as @sentry/node does (`patchRequestToCaptureBody`), collecting what `data` listeners get. */
function observeBody(req: IncomingMessage, seen: Buffer[]): void {
  const on = req.on
  req.on = function (this: IncomingMessage, event: string | symbol, listener: Listener) {
    if (event !== 'data') return on.call(this, event, listener)
    return on.call(this, event, (chunk: Buffer) => {
      seen.push(chunk)
      listener(chunk)
    })
  } as typeof req.on
}

const hosts: Record<string, (seen: Buffer[]) => Promise<SocketTarget>> = {
  Express: async (seen) => {
    const app = express()
    app.use((req, _res, next) => {
      observeBody(req, seen)
      next()
    })
    app.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    return listen(app)
  },
  Fastify: async (seen) => {
    const app = Fastify()
    app.addHook('onRequest', (request, _reply, done) => {
      observeBody(request.raw, seen)
      done()
    })
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: quietLogger })
    return fastifyListening(app)
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: a body observed through req.on('data')`, () => {
    const seen: Buffer[] = []
    let target: SocketTarget
    before(async () => (target = await start(seen)))
    after(() => target.close())

    test('the observer sees every byte the handler reads, for a small body sent whole with its length', async () => {
      const body = randomBytes(2000)
      const response = await target.send('/bodies/digest', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
      assert.equal(((await response.json()) as { size: number }).size, body.byteLength)
      assert.deepEqual(Buffer.concat(seen), body)
    })
  })
}
