/**
 * Large bodies: a 200 MB body read as a stream, and a 200 MB upload with `multipart.spool`, keep
 * memory flat; the spooled file is gone once the response is done.
 */
import express from 'express'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { eventually } from './helpers/http.ts'
import { APP_DIR, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'

const MiB = 1024 * 1024
const spoolDir = mkdtempSync(join(tmpdir(), 'route-handlers-spool-test-'))
let target: SocketTarget

before(async () => {
  const app = express()
  app.use(await routeHandlers({ dir: APP_DIR, logger: quietLogger, multipart: { spool: spoolDir, fileSize: 300 * MiB } }).ready())
  target = await listen(app)
})
after(async () => {
  await target.close()
  rmSync(spoolDir, { recursive: true, force: true })
})

/**
 * POSTs `size` random bytes (between `head` and `tail`) over a raw socket, one reused 64 KiB chunk
 * at a time with backpressure — fetch's request streams hold on to what they send, which would
 * measure the client. Resolves with the answer's status, body and the SHA-256 of the bytes sent.
 */
async function post(path: string, contentType: string, size: number, head = '', tail = ''): Promise<{ status: number; body: unknown; sha256: string }> {
  const chunk = randomBytes(64 * 1024)
  const hash = createHash('sha256')
  const socket = connect(target.port, '127.0.0.1')
  await once(socket, 'connect')
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (data: string) => (answer += data))
  const closed = once(socket, 'close')
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: ${contentType}\r\n` +
      `Content-Length: ${head.length + size + tail.length}\r\n\r\n${head}`,
  )
  for (let sent = 0; sent < size; sent += chunk.byteLength) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, size - sent))
    hash.update(piece)
    if (!socket.write(piece)) await once(socket, 'drain')
  }
  // Not end(): a half-closed connection makes Node abort the request before it is answered.
  socket.write(tail)
  await closed
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1])
  return { status, body: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), sha256: hash.digest('hex') }
}

const boundary = 'route-handlers-test-boundary'
const upload = (size: number) =>
  post(
    '/bodies/upload-digest',
    `multipart/form-data; boundary=${boundary}`,
    size,
    `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    `\r\n--${boundary}--\r\n`,
  )
const streamed = (size: number) => post('/bodies/stream-digest', 'application/octet-stream', size)

/** Peak RSS growth in MiB while `work` runs, after a small warm-up run lets V8 size its heap. */
async function rssGrowth<T>(warmUp: () => Promise<unknown>, work: () => Promise<T>): Promise<{ growth: number; result: T }> {
  await warmUp()
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20)
  try {
    const result = await work()
    return { growth: (peak - baseline) / MiB, result }
  } finally {
    clearInterval(sampler)
  }
}

test('a 200 MB body read as a stream keeps RSS flat (backpressure, no buffering)', async () => {
  const { growth, result } = await rssGrowth(() => streamed(16 * MiB), () => streamed(200 * MiB))
  assert.equal(result.status, 200)
  assert.deepEqual(result.body, { size: 200 * MiB, sha256: result.sha256 })
  assert.ok(growth < 100, `RSS grew by ${growth.toFixed(0)} MiB while streaming 200 MiB`)
})

test('a 200 MB upload is spooled to disk: memory stays flat and the temporary file is deleted', async () => {
  const { growth, result } = await rssGrowth(() => upload(16 * MiB), () => upload(200 * MiB))
  assert.equal(result.status, 200)
  assert.deepEqual(result.body, { files: [{ name: 'upload', file: 'big.bin', size: 200 * MiB, sha256: result.sha256 }] })
  assert.ok(growth < 100, `RSS grew by ${growth.toFixed(0)} MiB during a 200 MiB upload`)
  assert.ok(await eventually(() => readdirSync(spoolDir).length === 0), `left behind: ${readdirSync(spoolDir).join(', ')}`)
})
