import Fastify from 'fastify'
import { routeHandlersPlugin } from 'route-handlers/fastify' // also the default export

const fastify = Fastify({ logger: true })
fastify.get('/api/legacy/users', async () => [{ id: '1', name: 'Ada' }]) // old routes keep working
await fastify.register(routeHandlersPlugin, { dir: './app', prefix: '/api' })
await fastify.listen({ port: 3000 })
