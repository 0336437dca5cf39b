// One benchmark server: `node bench/server.mjs <express|fastify> <native|routes>`. The same
// endpoints either written natively or as route files; prints its port, then serves until killed.
import express from 'express'
import Fastify from 'fastify'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from 'route-handlers/express'
import { routeHandlersPlugin } from 'route-handlers/fastify'

const [host, variant] = process.argv.slice(2)
const dir = fileURLToPath(new URL('./app', import.meta.url))
const CHUNK = new Uint8Array(64 * 1024).fill(97)
const TOTAL = 100 * 1024 * 1024
let peakRss = 0
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10).unref()

function nativeDownload(write, end) {
  let sent = 0
  const next = () => {
    while (sent < TOTAL) {
      sent += CHUNK.byteLength
      if (!write(CHUNK.slice())) return 'wait'
    }
    end()
    return 'done'
  }
  return next
}

async function expressApp() {
  const app = express()
  app.get('/__rss', (req, res) => {
    res.json({ rss: process.memoryUsage.rss(), peak: peakRss })
    peakRss = process.memoryUsage.rss()
  })
  if (variant === 'routes') {
    app.use(await routeHandlers({ dir, logger: { warn() {}, error: console.error } }).ready())
  } else {
    app.use(express.json())
    app.get('/hello', (req, res) => res.json({ message: 'Hello World' }))
    app.get('/hello-response', (req, res) => res.json({ message: 'Hello World' }))
    app.get('/items/:slug', (req, res) => res.json({ slug: req.params.slug, q: req.query.q ?? null }))
    app.post('/echo', (req, res) => res.json(req.body))
    app.get('/download', (req, res) => {
      res.setHeader('content-type', 'application/octet-stream')
      const pump = nativeDownload((chunk) => res.write(chunk), () => res.end())
      res.on('drain', pump)
      pump()
    })
    app.post('/upload', async (req, res) => {
      let size = 0
      for await (const chunk of req) size += chunk.length
      res.json({ size })
    })
  }
  const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
}

async function fastifyApp() {
  const app = Fastify()
  app.get('/__rss', async () => {
    const answer = { rss: process.memoryUsage.rss(), peak: peakRss }
    peakRss = process.memoryUsage.rss()
    return answer
  })
  if (variant === 'routes') {
    await app.register(routeHandlersPlugin, { dir, logger: { warn() {}, error: console.error } })
  } else {
    app.get('/hello', async () => ({ message: 'Hello World' }))
    app.get('/hello-response', async () => ({ message: 'Hello World' }))
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
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  console.log(JSON.stringify({ port: Number(new URL(address).port) }))
}

await (host === 'express' ? expressApp() : fastifyApp())
process.on('SIGTERM', () => process.exit(0))
