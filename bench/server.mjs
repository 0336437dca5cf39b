// One benchmark server: `node bench/server.mjs <express|fastify|node> <native|routes|cached-memory|cached-redis>`.
// The same endpoints written natively or as route files (bench/app); `node` is a bare node:http
// server answering GET /hello, the load generator's ceiling. The cached variants serve
// bench/cache-app (/hello with `export const revalidate = 60`, /hello-uncached without) with the
// `cache` option. Prints one JSON line
// (`{ port }`, or `{ skip }` with the reason a variant cannot run), then serves until killed.
import express from 'express'
import Fastify from 'fastify'
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from 'route-handlers/express'
import { routeHandlersPlugin } from 'route-handlers/fastify'
import { cacheOption } from './_cache-option.mjs'

const [host, variant] = process.argv.slice(2)
const dir = fileURLToPath(new URL(variant === 'routes' ? './app' : './cache-app', import.meta.url))
const CHUNK = new Uint8Array(64 * 1024).fill(97)
const TOTAL = Number(process.env.BENCH_STREAM_BYTES ?? 1024 ** 3)
const HELLO = { message: 'Hello World' }
// What `revalidate = 60` sends, as `next start` does.
const CACHED_CACHE_CONTROL = 's-maxage=60, stale-while-revalidate=31535940'
const logger = { warn() {}, error: console.error }
let peakRss = 0
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5).unref()
const rss = () => {
  const answer = { rss: process.memoryUsage.rss(), peak: Math.max(peakRss, process.memoryUsage.rss()) }
  peakRss = 0
  return answer
}

// Started with --expose-gc (the stream rows): one full GC before serving, in every variant. On Node
// 20 a process that has run a mark-compact since it started (as every server in service has, and
// the route-file server has after loading its files) sets its old-generation limit close to its
// live size, and a 1 GiB upload then runs a mark-compact after almost every scavenge; a fresh
// native server, which has run none, would be measured without that cost (README "Performance",
// the stream notes in bench/RESULTS.md).
function settleHeap() {
  globalThis.gc?.()
}

/** Writes TOTAL bytes in 64 KiB chunks with backpressure, as the route file does. */
function nativeDownload(res) {
  let sent = 0
  const pump = () => {
    while (sent < TOTAL) {
      sent += CHUNK.byteLength
      if (!res.write(CHUNK.slice())) return
    }
    res.off('drain', pump)
    res.end()
  }
  res.on('drain', pump)
  pump()
}

async function routeOptions() {
  if (variant === 'routes') return { dir, logger }
  const cache = await cacheOption(variant === 'cached-redis' ? 'redis' : 'memory')
  if (typeof cache === 'string') {
    console.log(JSON.stringify({ skip: cache }))
    process.exit(0)
  }
  return { dir, logger, cache }
}

async function expressApp() {
  const app = express()
  app.get('/__rss', (req, res) => res.json(rss()))
  if (variant !== 'native') {
    app.use(await routeHandlers(await routeOptions()).ready())
  } else {
    app.use(express.json())
    app.get('/hello', (req, res) => res.json(HELLO))
    app.get('/hello-response', (req, res) => res.json(HELLO))
    app.get('/items/:slug', (req, res) => res.json({ slug: req.params.slug, q: req.query.q ?? null }))
    app.post('/echo', (req, res) => res.json(req.body))
    app.get('/download', (req, res) => {
      res.setHeader('content-type', 'application/octet-stream')
      nativeDownload(res)
    })
    app.post('/upload', async (req, res) => {
      let size = 0
      for await (const chunk of req) size += chunk.length
      res.json({ size })
    })
  }
  settleHeap()
  const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
}

async function fastifyApp() {
  // No plugin timeout: under valgrind (bench/instructions.mjs) loading the route files takes longer
  // than Fastify's default 10 s.
  const app = Fastify({ bodyLimit: 2 * TOTAL, pluginTimeout: 0 })
  app.get('/__rss', async () => rss())
  if (variant !== 'native') {
    await app.register(routeHandlersPlugin, await routeOptions())
  } else {
    app.get('/hello', async () => HELLO)
    app.get('/hello-response', async () => HELLO)
    // The same JSON under the two headers a cached route's HIT carries (Next's), for the cache rows.
    app.get('/hello-cache-headers', async (request, reply) => {
      reply.header('x-nextjs-cache', 'HIT').header('cache-control', CACHED_CACHE_CONTROL)
      return HELLO
    })
    app.get('/items/:slug', async (request) => ({ slug: request.params.slug, q: request.query.q ?? null }))
    app.post('/echo', async (request) => request.body)
    app.get('/download', (request, reply) => {
      let sent = 0
      const stream = new Readable({
        read() {
          if (sent >= TOTAL) return this.push(null)
          sent += CHUNK.byteLength
          this.push(CHUNK.slice())
        },
      })
      reply.header('content-type', 'application/octet-stream').send(stream)
    })
    app.addContentTypeParser('application/octet-stream', (request, payload, done) => done(null, payload))
    app.post('/upload', async (request) => {
      let size = 0
      for await (const chunk of request.body) size += chunk.length
      return { size }
    })
  }
  settleHeap()
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  console.log(JSON.stringify({ port: Number(new URL(address).port) }))
}

/** The floor under every framework: node:http answering the same JSON. */
function nodeApp() {
  const server = createServer((req, res) => {
    if (req.url === '/__rss') return res.end(JSON.stringify(rss()))
    const body = JSON.stringify(HELLO)
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body)
  })
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
}

process.on('SIGTERM', () => process.exit(0))
if (host === 'node') nodeApp()
else await (host === 'express' ? expressApp() : fastifyApp())
