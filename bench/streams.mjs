// 1 GiB streaming rows: a download and an upload through each adapter against the same endpoint
// written natively, in interleaved rounds. The client is a raw socket in this process (pinned to
// CPU 1) that only counts bytes, so it is never the bottleneck; the server's peak RSS above its
// idle RSS comes from its own 5 ms sampler (bench/server.mjs /__rss).
import { once } from 'node:events'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { cpuMs, rssOf, startServer } from './_server.mjs'
import { median } from './_stats.mjs'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))
const MiB = 1024 * 1024

/**
 * Streams `bytes` one way; resolves with MB/s (10⁶ bytes), the server's CPU ms per GiB (steadier
 * than MB/s on a busy machine) and its peak RSS above idle in MiB.
 */
async function transfer({ port, pid }, direction, bytes) {
  const idle = await rssOf(port)
  const cpuBefore = cpuMs(pid)
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = 0
  let answer = ''
  socket.on('data', (data) => {
    received += data.byteLength
    if (direction === 'upload') answer += data
  })
  const closed = once(socket, 'close')
  const started = process.hrtime.bigint()
  if (direction === 'download') {
    socket.write('GET /download HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  } else {
    socket.write(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`)
    const chunk = Buffer.alloc(64 * 1024, 98)
    for (let sent = 0; sent < bytes; sent += chunk.byteLength) if (!socket.write(chunk)) await once(socket, 'drain')
  }
  await closed
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const cpuPerGiB = ((cpuMs(pid) - cpuBefore) * 1024 ** 3) / bytes
  if (direction === 'download' && received < bytes) throw new Error(`download on port ${port} got ${received} of ${bytes} bytes`)
  if (direction === 'upload' && !answer.includes(`"size":${bytes}`)) throw new Error(`upload on port ${port} answered ${answer.slice(0, 300)}`)
  const after = await rssOf(port)
  return { mbps: bytes / seconds / 1e6, cpuPerGiB, rssMiB: (after.peak - idle.rss) / MiB }
}

/**
 * Rows per host and direction: native and route files MB/s (median), paired ratios, server CPU
 * per GiB (median), and the highest peak RSS above idle of the rounds.
 */
export async function streamRows({ bytes, rounds, onRow }) {
  const rows = []
  for (const host of ['fastify', 'express']) {
    const env = { BENCH_STREAM_BYTES: String(bytes) }
    const native = await startServer(SERVER, [host, 'native'], { env })
    const routes = await startServer(SERVER, [host, 'routes'], { env })
    try {
      for (const direction of ['download', 'upload']) {
        // No warm-up: the first transfer's peak RSS (first-touch memory, JIT) is the one users see.
        const runs = { native: [], routes: [], ratios: [] }
        for (let round = 0; round < rounds; round++) {
          const a = await transfer(native, direction, bytes)
          const b = await transfer(routes, direction, bytes)
          runs.native.push(a)
          runs.routes.push(b)
          runs.ratios.push(b.mbps / a.mbps)
        }
        const row = {
          host,
          direction,
          nativeMbps: median(runs.native.map((run) => run.mbps)),
          routesMbps: median(runs.routes.map((run) => run.mbps)),
          ratios: runs.ratios,
          nativeCpu: median(runs.native.map((run) => run.cpuPerGiB)),
          routesCpu: median(runs.routes.map((run) => run.cpuPerGiB)),
          nativeRss: Math.max(...runs.native.map((run) => run.rssMiB)),
          routesRss: Math.max(...runs.routes.map((run) => run.rssMiB)),
        }
        rows.push(row)
        onRow(row)
      }
    } finally {
      await Promise.all([native.stop(), routes.stop()])
    }
  }
  return rows
}
