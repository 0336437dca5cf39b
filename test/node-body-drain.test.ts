// After the response, an unread rest of a Node request body is drained (a timer, listeners, the
// stream resumed); a small body taken whole in one read has no rest, and is left alone. Real
// node:http server and sockets: what is checked is the request stream's state once it is done.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { once } from 'node:events'
import { connect, type AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { drainRest, nodeBodySource } from '../adapters/_node-body.ts'
import { RawConnection } from './helpers/raw-connection.ts'

interface Seen {
  socketCloseListeners?: number
  dataListeners: number
  flowing: boolean | null
  takenWhole: boolean
}

let server: Server
let port: number
const seen: Seen[] = []

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const body = nodeBodySource(req)
    const finish = (text: string) => {
      const socketCloseListeners = req.socket.listenerCount('close')
      res.on('close', () => {
        drainRest(req, req, body)
        seen.push({ dataListeners: req.listenerCount('data'), flowing: req.readableFlowing, takenWhole: body.takenWhole, ...(req.url === '/count' ? { socketCloseListeners } : {}) })
      })
      res.end(text)
    }
    if (req.url === '/ignore' || req.url === '/count') return finish('ignored')
    body.readAll(1024 * 1024, req.headers['content-length'] ?? null).then((bytes) => finish(`read ${bytes.byteLength}`))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

after(() => new Promise<void>((resolve) => server.close(() => resolve())))

const post = (path: string, body: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

test('a small body that came with its head is taken whole, and nothing drains it after the response', async () => {
  const connection = await RawConnection.open(port)
  try {
    connection.write(post('/read', '{"a":1}'))
    assert.equal((await connection.response()).body, 'read 7')
    // The connection goes on serving: the parser is past the body.
    connection.write(post('/read', '{"b":22}'))
    assert.equal((await connection.response()).body, 'read 8')
  } finally {
    connection.destroy()
  }
  assert.deepEqual(seen.splice(0), [
    { dataListeners: 0, flowing: null, takenWhole: true },
    { dataListeners: 0, flowing: null, takenWhole: true },
  ])
})

test('a body the handler never read is drained after the response', async () => {
  const connection = await RawConnection.open(port)
  try {
    connection.write(post('/ignore', 'x'.repeat(1000)))
    assert.equal((await connection.response()).body, 'ignored')
    connection.write(post('/read', '{"c":3}'))
    assert.equal((await connection.response()).body, 'read 7')
  } finally {
    connection.destroy()
  }
  const [ignored, read] = seen.splice(0)
  assert.equal(ignored!.takenWhole, false)
  assert.equal(ignored!.dataListeners, 0)
  assert.equal(ignored!.flowing, true)
  assert.equal(read!.takenWhole, true)
})

test('drains on one keep-alive connection leave no listeners behind on its socket', async () => {
  const connection = await RawConnection.open(port)
  try {
    for (let index = 0; index < 12; index++) {
      connection.write(post('/count', 'x'.repeat(1000)))
      await connection.response()
    }
  } finally {
    connection.destroy()
  }
  const counts = seen.splice(0).map((entry) => entry.socketCloseListeners)
  assert.equal(counts.length, 12)
  assert.equal(new Set(counts).size, 1, `the socket's close listeners at each request: ${counts.join(', ')}`)
})

// Adversarial trial: Node dumps a request once its response has finished, and a dumped request
// emits no `data`: the drain counted nothing, and read 4.5 GB before its 5 s timer closed it.
test('an unread body is drained up to 16 MiB, then the connection is closed', async () => {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.on('error', () => {})
  socket.write(`POST /ignore HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${2 ** 36}\r\n\r\n`)
  const chunk = Buffer.alloc(1024 * 1024, 120)
  let written = 0
  while (!socket.destroyed && written < 2 ** 30) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve))
    written += chunk.byteLength
  }
  socket.destroy()
  seen.splice(0)
  // What the socket and the kernel buffer on the way, past the 16 MiB: far below the gigabyte.
  assert.ok(written < 128 * 1024 * 1024, `the server read ${written} bytes before closing`)
})
