// A legacy Fastify 5 app: its own routes, @fastify/formbody, an auth hook, its own error handler —
// and the same folder of Next.js Route Handlers registered under /api.
import formbody from '@fastify/formbody'
import Fastify from 'fastify'
import { fileURLToPath } from 'node:url'
import routeHandlersPlugin from 'route-handlers/fastify'
import { exitOnListenError } from '../listen-failed.cjs'
import { printTryUrls, tryUrlsPage } from '../try-urls.mjs'

const name = 'Fastify legacy app'
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } })
await app.register(formbody)

// The first thing a newcomer opens: what to try, as links.
app.get('/', async (request, reply) =>
  reply.type('text/html; charset=utf-8').send(tryUrlsPage(name, `${request.protocol}://${request.host}`, { auth: true })),
)

// Writes need a token, for legacy routes and route handlers alike.
app.addHook('onRequest', async (request, reply) => {
  const isWrite = request.method === 'POST' && /^\/api\/(items|legacy\/users)\b/.test(request.url)
  if (isWrite && request.headers.authorization !== 'Bearer demo-token') {
    return reply.code(401).send({ error: 'authorization required' })
  }
})

app.get('/api/legacy/users', async () => ({ users: [{ id: '1', name: 'Ada' }] }))
app.post('/api/legacy/users', async (request, reply) => reply.code(201).send({ created: request.body }))

app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `nothing at ${request.method} ${request.url}` }))
app.setErrorHandler((error, request, reply) => {
  const status = error.statusCode ?? 500
  if (status >= 500) request.log.error(error)
  return reply.code(status).send({ error: status < 500 ? error.message : 'Internal Server Error' })
})

const dir = fileURLToPath(new URL('../express-legacy/app', import.meta.url))
await app.register(routeHandlersPlugin, { dir, prefix: '/api' })

const port = Number(process.env.PORT ?? 3001)
const address = await app.listen({ port, host: '127.0.0.1' }).catch((error) => exitOnListenError(error, port, 'npm run start:fastify'))
printTryUrls(name, address, { auth: true })
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close().then(() => process.exit(0)))
