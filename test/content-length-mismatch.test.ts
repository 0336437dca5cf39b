/**
 * A streamed body that disagrees with the handler's Content-Length (an adversarial trial: Fastify
 * sent the extra bytes, and a keep-alive client read them as its next response; a length computed
 * before a transform of the body does it with no attacker). Each host cuts the
 * response and closes the connection instead; nothing of the body's excess reaches the client.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, listen, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// Each chunk comes from its own pull, a turn apart: the body is streamed, not known whole at once.
const streamed = (chunks: string[], length: number) => `
export function GET() {
  const chunks = ${JSON.stringify(chunks)}
  const body = new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve))
      const chunk = chunks.shift()
      if (chunk === undefined) controller.close()
      else controller.enqueue(new TextEncoder().encode(chunk))
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/plain', 'content-length': '${length}' } })
}
`

const dir = tempRouteFolder({
  'longer/route.ts': streamed(['AAA', 'HTTP/1.1 200 OK\r\nContent-Length: 8\r\nX-Injected: yes\r\n\r\nINJECTED'], 3),
  'shorter/route.ts': streamed(['A', 'B'], 5),
  'next/route.ts': "export function GET() { return new Response('the real second answer') }\n",
})

/** Everything the server sends on one connection for `raw`, until it closes it. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(raw))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(received))
  })
}

const hosts: Record<string, (errors: unknown[]) => Promise<SocketTarget>> = {
  Express: async (errors) => {
    const app = express()
    app.use(await routeHandlers({ dir, logger: { warn() {}, error: (_message, error) => void errors.push(error) } }).ready())
    return listen(app)
  },
  // No logger of its own: the plugin's logger hears of the failure.
  Fastify: async (errors) => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir, logger: { warn() {}, error: (_message, error) => void errors.push(error) } })
    return fastifyListening(app)
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: a streamed body longer or shorter than its Content-Length`, () => {
    const errors: unknown[] = []
    let target: SocketTarget
    before(async () => (target = await start(errors)))
    after(() => target.close())

    test('longer: the excess is never sent, and the connection is closed before the next pipelined request is answered', async () => {
      const received = await exchange(target.port, 'GET /longer HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      assert.match(received, /^HTTP\/1\.1 200 /)
      assert.match(received, /content-length: 3\r\n/i)
      assert.doesNotMatch(received, /X-Injected|INJECTED/)
      assert.doesNotMatch(received, /the real second answer/)
    })

    test('shorter: the connection is closed after what came, not left waiting for the rest; the failure is logged', async () => {
      const received = await exchange(target.port, 'GET /shorter HTTP/1.1\r\nHost: x\r\n\r\n')
      assert.match(received, /content-length: 5\r\n/i)
      assert.ok(received.endsWith('\r\n\r\nA') || received.endsWith('\r\n\r\nAB'), JSON.stringify(received))
      assert.ok(errors.length > 0, 'logged through the route handlers logger')
    })
  })
}
