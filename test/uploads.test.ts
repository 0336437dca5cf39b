/**
 * Large uploads with `multipart.spool`: a 200 MB file goes to disk, not memory, and its temporary
 * file is gone once the response is done.
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
 * Uploads a `size`-byte file as multipart over a raw socket, one reused 64 KiB chunk at a time with
 * backpressure (fetch's request streams hold on to what they send, which would measure the
 * client), and checks the handler saw exactly those bytes.
 */
async function uploadAndCheck(size: number): Promise<void> {
  const boundary = 'route-handlers-test-boundary'
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`
  const tail = `\r\n--${boundary}--\r\n`
  const chunk = randomBytes(64 * 1024)
  const hash = createHash('sha256')
  const socket = connect(target.port, '127.0.0.1')
  await once(socket, 'connect')
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (data: string) => (answer += data))
  const closed = once(socket, 'close')
  socket.write(
    `POST /bodies/upload-digest HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + size + tail.length}\r\n\r\n${head}`,
  )
  for (let sent = 0; sent < size; sent += chunk.byteLength) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, size - sent))
    hash.update(piece)
    if (!socket.write(piece)) await once(socket, 'drain')
  }
  // Not end(): a half-closed connection makes Node abort the request before it is answered.
  socket.write(tail)
  await closed
  assert.match(answer, /^HTTP\/1\.1 200 /)
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown
  assert.deepEqual(body, { files: [{ name: 'upload', file: 'big.bin', size, sha256: hash.digest('hex') }] })
}

/** Streams `size` bytes as a plain POST body over a raw socket; resolves with the answer's body. */
async function postRaw(path: string, size: number): Promise<{ answer: string; sha256: string }> {
  const chunk = randomBytes(64 * 1024)
  const hash = createHash('sha256')
  const socket = connect(target.port, '127.0.0.1')
  await once(socket, 'connect')
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (data: string) => (answer += data))
  const closed = once(socket, 'close')
  socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${size}\r\n\r\n`)
  for (let sent = 0; sent < size; sent += chunk.byteLength) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, size - sent))
    hash.update(piece)
    if (!socket.write(piece)) await once(socket, 'drain')
  }
  await closed
  return { answer, sha256: hash.digest('hex') }
}

test('a 200 MB body read as a stream keeps RSS flat (backpressure, no buffering)', async () => {
  await postRaw('/bodies/stream-digest', 16 * MiB)
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20)
  let result: { answer: string; sha256: string }
  try {
    result = await postRaw('/bodies/stream-digest', 200 * MiB)
  } finally {
    clearInterval(sampler)
  }
  assert.match(result.answer, /^HTTP\/1\.1 200 /)
  assert.ok(result.answer.endsWith(JSON.stringify({ size: 200 * MiB, sha256: result.sha256 })))
  const growth = (peak - baseline) / MiB
  assert.ok(growth < 100, `RSS grew by ${growth.toFixed(0)} MiB while streaming 200 MiB`)
})

test('a 200 MB upload is spooled to disk: memory stays flat and the temporary file is deleted', async () => {
  // A warm-up lets V8 size its heap for the traffic, so the measured upload shows what is kept.
  await uploadAndCheck(16 * MiB)
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20)
  try {
    await uploadAndCheck(200 * MiB)
  } finally {
    clearInterval(sampler)
  }
  const growth = (peak - baseline) / MiB
  assert.ok(growth < 100, `RSS grew by ${growth.toFixed(0)} MiB during a 200 MiB upload`)
  assert.ok(await eventually(() => readdirSync(spoolDir).length === 0), `left behind: ${readdirSync(spoolDir).join(', ')}`)
})
