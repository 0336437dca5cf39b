// Instance B: a legacy Fastify app with the same route folder registered under /api and its cache
// in the same Redis. start.mjs runs it beside instance A (express.mjs).
import Fastify from 'fastify'
import { fileURLToPath } from 'node:url'
import { redisCache } from 'route-handlers/cache/redis'
import routeHandlersPlugin from 'route-handlers/fastify'

const store = redisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
const dir = fileURLToPath(new URL('./app', import.meta.url))

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } })
app.get('/api/legacy/instance', async () => ({ instance: process.env.INSTANCE_NAME }))
await app.register(routeHandlersPlugin, { dir, prefix: '/api', cache: { store } })

const port = Number(process.env.PORT ?? 3001)
const address = await app.listen({ port, host: '127.0.0.1' })
console.log(`${process.env.INSTANCE_NAME} listening on ${address}`)
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close().then(() => store.close()).then(() => process.exit(0)))
