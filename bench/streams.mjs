// 1 GiB streaming rows: a download and an upload through each adapter against the same endpoint
// written natively, the two at the same time in each round (see transferPair). The client is a raw socket in this process (pinned to
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
 * Starts streaming `bytes` one way. `moved()` is how many bytes have gone through so far (received,
 * or sent and out of the client's socket buffer); `done` resolves with the server's CPU ms per GiB
 * (steadier than MB/s on a busy machine) and its peak RSS above `idle` in MiB.
 */
async function startTransfer({ port, pid }, direction, bytes, idle) {
  const cpuBefore = cpuMs(pid)
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = 0
  let sent = 0
  let answer = ''
  socket.on('data', (data) => {
    received += data.byteLength
    if (direction === 'upload') answer += data
  })
  const closed = once(socket, 'close')
  if (direction === 'download') {
    socket.write('GET /download HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  } else {
    socket.write(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`)
  }
  const upload = async () => {
    const chunk = Buffer.alloc(64 * 1024, 98)
    for (; sent < bytes; sent += chunk.byteLength) if (!socket.write(chunk)) await once(socket, 'drain')
  }
  const done = (async () => {
    if (direction === 'upload') await upload()
    await closed
    if (direction === 'download' && received < bytes) throw new Error(`download on port ${port} got ${received} of ${bytes} bytes`)
    if (direction === 'upload' && !answer.includes(`"size":${bytes}`)) throw new Error(`upload on port ${port} answered ${answer.slice(0, 300)}`)
    const after = await rssOf(port)
    return { cpuPerGiB: ((cpuMs(pid) - cpuBefore) * 1024 ** 3) / bytes, rssMiB: (after.peak - idle.rss) / MiB }
  })()
  const moved = () => (direction === 'download' ? Math.min(received, bytes) : Math.max(0, sent - socket.writableLength))
  return { moved, done }
}

/**
 * One round: native and route files stream at the same time, sharing the server core, so each gets
 * the same CPU time and whatever else the machine does falls on both (one after the other, the
 * same server's MB/s moved several-fold between rounds). The rates are taken when the first of the two has
 * finished: from then on the other would have the core to itself. `routesFirst` starts the route
 * files' transfer first.
 */
async function transferPair(native, routes, direction, bytes, routesFirst) {
  const idle = new Map([
    [native, await rssOf(native.port)],
    [routes, await rssOf(routes.port)],
  ])
  const started = process.hrtime.bigint()
  const runs = new Map()
  for (const server of routesFirst ? [routes, native] : [native, routes]) runs.set(server, await startTransfer(server, direction, bytes, idle.get(server)))
  const nativeRun = runs.get(native)
  const routesRun = runs.get(routes)
  let atFirstFinish
  const snapshot = () => {
    atFirstFinish ??= { seconds: Number(process.hrtime.bigint() - started) / 1e9, native: nativeRun.moved(), routes: routesRun.moved() }
  }
  const [nativeResult, routesResult] = await Promise.all([nativeRun.done.finally(snapshot), routesRun.done.finally(snapshot)])
  const { seconds } = atFirstFinish
  return {
    native: { ...nativeResult, mbps: atFirstFinish.native / seconds / 1e6 },
    routes: { ...routesResult, mbps: atFirstFinish.routes / seconds / 1e6 },
    ratio: atFirstFinish.routes / atFirstFinish.native,
  }
}

/**
 * Rows per host and direction: native and route files MB/s while streaming side by side (median),
 * per-round ratios, server CPU per GiB (median), and the highest peak RSS above idle of the rounds.
 * Each round starts a fresh pair of servers (in alternating order) for a download, then an upload:
 * a server process keeps the CPU per GiB it happens to settle at (native's too, 450 to 1,020 ms
 * for the same upload code) for transfer after transfer, so one pair for every round would carry
 * that draw into every ratio; a new pair per round makes it one more spread the median absorbs.
 */
export async function streamRows({ bytes, rounds, onRow }) {
  const rows = []
  for (const host of ['fastify', 'express']) {
    const env = { BENCH_STREAM_BYTES: String(bytes) }
    const runs = new Map(['download', 'upload'].map((direction) => [direction, { native: [], routes: [], ratios: [] }]))
    for (let round = 0; round < rounds; round++) {
      const routesFirst = round % 2 === 1
      const servers = {}
      try {
        for (const variant of routesFirst ? ['routes', 'native'] : ['native', 'routes']) servers[variant] = await startServer(SERVER, [host, variant], { env, nodeArgs: ['--expose-gc'] })
        // No warm-up: the first transfer's peak RSS (first-touch memory, JIT) is the one users see.
        for (const [direction, measured] of runs) {
          const pair = await transferPair(servers.native, servers.routes, direction, bytes, routesFirst)
          measured.native.push(pair.native)
          measured.routes.push(pair.routes)
          measured.ratios.push(pair.ratio)
        }
      } finally {
        await Promise.all(Object.values(servers).map((server) => server.stop()))
      }
    }
    for (const [direction, measured] of runs) {
      const row = {
        host,
        direction,
        nativeMbps: median(measured.native.map((run) => run.mbps)),
        routesMbps: median(measured.routes.map((run) => run.mbps)),
        ratios: measured.ratios,
        nativeCpu: median(measured.native.map((run) => run.cpuPerGiB)),
        routesCpu: median(measured.routes.map((run) => run.cpuPerGiB)),
        nativeRss: Math.max(...measured.native.map((run) => run.rssMiB)),
        routesRss: Math.max(...measured.routes.map((run) => run.rssMiB)),
      }
      rows.push(row)
      onRow(row)
    }
  }
  return rows
}
