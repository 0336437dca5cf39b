// One scaling server: `node --expose-gc bench/scale-server.mjs <fastify|express|import> <routes|native> <project> <count>`.
// Times start-up from just before the package (or the routes) load to ready, then prints one JSON
// line: { port, startupMs, rssMb, entries } (`import` prints the floor and exits: a plain
// `import()` of every route file, one after another). Serves until killed.
import express from 'express'
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [host, variant, project, countText] = process.argv.slice(2)
const count = Number(countText)
const dir = join(project, 'app')
const logger = { warn() {}, error: console.error }

function report(fields) {
  globalThis.gc?.()
  console.log(JSON.stringify({ ...fields, rssMb: process.memoryUsage.rss() / 1024 ** 2 }))
}

/** What a generated route file answers, written natively. */
const answer = (index, id) => ({ resource: `r${index}`, id })

const started = performance.now()
if (host === 'import') {
  const files = JSON.parse(readFileSync(join(project, 'files.json'), 'utf8'))
  for (const file of files) await import(pathToFileURL(join(dir, file)).href)
  report({ startupMs: performance.now() - started })
  process.exit(0)
} else if (host === 'fastify') {
  // Every route the router holds, as Fastify adds it; the plugin's fallback (one per plugin, under
  // its `routeHandlers` constraint, whatever the number of files) counted apart.
  let entries = 0
  let fallbackEntries = 0
  const app = Fastify({ pluginTimeout: 0 })
  app.addHook('onRoute', (route) => {
    const count = [route.method].flat().length
    entries += count
    if (route.constraints?.routeHandlers !== undefined) fallbackEntries += count
  })
  if (variant === 'routes') {
    const { routeHandlersPlugin } = await import('route-handlers/fastify')
    await app.register(routeHandlersPlugin, { dir, logger })
  } else {
    for (let index = 0; index < count; index++) {
      app.get(`/api/r${index}/:id`, async (request) => answer(index, request.params.id))
      app.post(`/api/r${index}/:id`, async (request) => ({ ...request.body, ...answer(index, request.params.id) }))
    }
  }
  await app.ready()
  const startupMs = performance.now() - started
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  report({ port: Number(new URL(address).port), startupMs, entries, fallbackEntries })
} else {
  const app = express()
  if (variant === 'routes') {
    const { routeHandlers } = await import('route-handlers/express')
    app.use(await routeHandlers({ dir, logger }).ready())
  } else {
    app.use(express.json())
    for (let index = 0; index < count; index++) {
      app.get(`/api/r${index}/:id`, (req, res) => res.json(answer(index, req.params.id)))
      app.post(`/api/r${index}/:id`, (req, res) => res.json({ ...req.body, ...answer(index, req.params.id) }))
    }
  }
  const startupMs = performance.now() - started
  const server = app.listen(0, '127.0.0.1', () => report({ port: server.address().port, startupMs }))
}
process.on('SIGTERM', () => process.exit(0))
