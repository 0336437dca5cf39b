/**
 * A GET sent with a body (an adversarial trial: 8–9.8 GB in 8 s on one connection, kept open):
 * no handler reads it, and Node discards it after the response for as long as the client sends.
 * The Node hosts drain it within the limits of any unread body (16 MiB, 5 s), then close.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({ 'hello/route.ts': "export function GET() { return new Response('hello') }\n" })

const hosts: Record<string, () => Promise<SocketTarget>> = {
  Express: async () => {
    const app = express()
    app.use(await routeHandlers({ dir, logger: quietLogger }).ready())
    return listen(app)
  },
  Fastify: async () => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
    return fastifyListening(app)
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: a GET sent with an endless body`, () => {
    let target: SocketTarget
    before(async () => (target = await start()))
    after(() => target.close())

    test('is answered, then drained up to 16 MiB and its connection closed', async () => {
      const socket = connect(target.port, '127.0.0.1')
      await once(socket, 'connect')
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => (received += chunk))
      socket.on('error', () => {})
      socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
      const chunk = Buffer.concat([Buffer.from('100000\r\n'), Buffer.alloc(0x100000, 120), Buffer.from('\r\n')])
      let written = 0
      while (!socket.destroyed && written < 2 ** 30) {
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve))
        written += chunk.byteLength
      }
      socket.destroy()
      assert.match(received, /^HTTP\/1\.1 200 [^]*hello/)
      assert.ok(written < 128 * 1024 * 1024, `the server read ${written} bytes before closing`)
    })
  })
}
