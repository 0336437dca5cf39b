/**
 * Issue 13: at 5,000 route files, every scavenge promoted ~2 MB. Fastify's registration adds one
 * `once('preReady')` listener per route, which makes V8 pretenure the allocation site of
 * `EventEmitter#once`'s wrapper state; a `once()` per request then allocated in old space and kept
 * that request's young objects alive. This package's request path must not call `once()`.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { APP_DIR, fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'

const ownCode = fileURLToPath(new URL('..', import.meta.url))

/** The `once()` calls this package's own code makes while `run` goes. */
async function onceCallsFromOwnCode(run: () => Promise<void>): Promise<string[]> {
  const original = EventEmitter.prototype.once
  const calls: string[] = []
  EventEmitter.prototype.once = function once(this: EventEmitter, type: string | symbol, listener: (...args: unknown[]) => void) {
    const caller = new Error().stack!.split('\n')[2] ?? ''
    if (caller.includes(ownCode) && !caller.includes('/node_modules/')) calls.push(`${String(type)} ${caller.trim()}`)
    return original.call(this, type, listener)
  }
  try {
    await run()
  } finally {
    EventEmitter.prototype.once = original
  }
  return calls
}

const hosts: Array<[string, () => Promise<SocketTarget>]> = [
  ['Fastify', async () => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: APP_DIR, logger: quietLogger })
    return fastifyListening(app)
  }],
  ['Express', async () => {
    const app = express()
    app.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger }).ready())
    return listen(app)
  }],
]

for (const [name, start] of hosts) {
  test(`${name}: no once() on the request path: GET, HEAD, a JSON POST, a streamed response (issue 13)`, async () => {
    const target = await start()
    try {
      const calls = await onceCallsFromOwnCode(async () => {
        await (await target.send('/items/widget?q=1')).text()
        await (await target.send('/items', { method: 'HEAD' })).text()
        await (await target.send('/bodies/json', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })).text()
        await (await target.send('/stream')).text()
      })
      assert.deepEqual(calls, [])
    } finally {
      await target.close()
    }
  })
}
