// Cached GET rows (issue 12): `export const revalidate = 60` served from the memory store and the
// Redis store, against the same handler uncached and native Fastify answering the same JSON, without
// and with the two headers a HIT carries (`x-nextjs-cache`, `Cache-Control`).
// Skipped with a note while the `cache` option or a store is not there.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startServer } from './_server.mjs'
import { simultaneousRounds } from './requests.mjs'
import { SERVER_CPU } from './_wrk.mjs'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  return port
}

/** A throw-away redis-server on the servers' core, or undefined when there is none installed. */
async function startRedis() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  const port = await freePort()
  const child = spawn('taskset', ['-c', SERVER_CPU, 'redis-server', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  for await (const data of child.stdout) {
    out += data
    if (out.includes('Ready to accept connections')) break
  }
  child.stdout.resume()
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() }
}

/** `true` when a second GET of `path` says it came from the cache (Next's `x-nextjs-cache`). */
async function servedFromCache(port, path) {
  await fetch(`http://127.0.0.1:${port}${path}`).then((response) => response.arrayBuffer())
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  await response.arrayBuffer()
  return response.headers.get('x-nextjs-cache') === 'HIT'
}

/** Rows for each store, or `{ store, skip }` notes. */
export async function cacheRows({ seconds, rounds, onRow }) {
  const rows = []
  const redis = await startRedis()
  const native = await startServer(SERVER, ['fastify', 'native'])
  try {
    for (const store of ['memory', 'redis']) {
      if (store === 'redis' && !redis) {
        rows.push({ store, skip: 'redis-server is not installed' })
        onRow(rows.at(-1))
        continue
      }
      const cached = await startServer(SERVER, ['fastify', `cached-${store}`], { env: { BENCH_REDIS_URL: redis?.url ?? '' } })
      try {
        if (cached.skip) {
          rows.push({ store, skip: cached.skip })
          onRow(rows.at(-1))
          continue
        }
        const hit = await servedFromCache(cached.port, '/hello')
        const vsNative = await simultaneousRounds(native, cached, { path: '/hello', seconds, rounds })
        // Native sending the HIT's own two headers too: what the same response costs Fastify.
        const vsSameHeaders = await simultaneousRounds(native, cached, { path: '/hello-cache-headers', bPath: '/hello', seconds, rounds })
        const uncached = await simultaneousRounds(native, cached, { path: '/hello', bPath: '/hello-uncached', seconds, rounds })
        rows.push({
          store,
          hit,
          nativeRps: vsNative.aRps,
          cachedRps: vsNative.bRps,
          ratios: vsNative.ratios,
          sameHeadersRps: vsSameHeaders.aRps,
          sameHeadersRatios: vsSameHeaders.ratios,
          uncachedRps: uncached.bRps,
          uncachedRatios: uncached.ratios,
        })
        onRow(rows.at(-1))
      } finally {
        await cached.stop()
      }
    }
  } finally {
    await native.stop()
    redis?.stop()
  }
  return rows
}
