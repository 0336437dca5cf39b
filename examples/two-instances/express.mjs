// Instance A: a legacy Express app with the route folder mounted at /api and its cache in Redis.
// start.mjs runs it beside instance B (fastify.mjs), both on one Redis.
import express from 'express'
import { fileURLToPath } from 'node:url'
import { redisCache } from 'route-handlers/cache/redis'
import { routeHandlers } from 'route-handlers/express'

const store = redisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
const dir = fileURLToPath(new URL('./app', import.meta.url))

const app = express()
app.get('/api/legacy/instance', (req, res) => res.json({ instance: process.env.INSTANCE_NAME }))
const routes = await routeHandlers({ dir, cache: { store } }).ready()
app.use('/api', routes)

const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) throw error
  console.log(`${process.env.INSTANCE_NAME} listening on http://127.0.0.1:${server.address().port}`)
})
// Shutting down: no new requests, then the route handlers' after() work, then the Redis connection.
const shutDown = () => server.close(() => routes.close().then(() => store.close()).then(() => process.exit(0)))
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, shutDown)
