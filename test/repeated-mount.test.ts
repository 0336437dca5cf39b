/**
 * A Next.js app's route folder keeps its handlers in `app/api/`: mounted whole at `/api`, they answer
 * `/api/api/…` and `/api/…` is not found. Both hosts say so once, naming the fix; a folder with any
 * route file outside the repeated prefix is the app's choice and gets no warning.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers } from '../lib/index.ts'
import { fastifyListening, listen } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const route = 'export function GET() { return Response.json({ ok: true }) }\n'
const nextLayout = tempRouteFolder({ 'api/items/route.ts': route, 'api/users/[id]/route.ts': route })
const mixed = tempRouteFolder({ 'api/items/route.ts': route, 'health/route.ts': route })

const hosts = {
  Express: async (dir: string, warnings: string[]) => {
    const app = express()
    app.use('/api', await routeHandlers({ dir, logger: { warn: (message) => void warnings.push(message), error() {} } }).ready())
    return listen(app, '/api')
  },
  Fastify: async (dir: string, warnings: string[]) => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: { warn: (message) => void warnings.push(message), error() {} } })
    return fastifyListening(app, '/api')
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: a route folder mounted under a prefix its folders repeat`, () => {
    test('app/api mounted at /api: /api/api/items answers, /api/items is not found, and a warning names the fix once', async () => {
      const warnings: string[] = []
      const target = await start(nextLayout, warnings)
      try {
        assert.equal((await target.send('/items')).status, 404)
        assert.equal((await target.send('/api/items')).status, 200)
        assert.equal((await target.send('/items')).status, 404)
        const repeated = warnings.filter((message) => message.includes('every route file'))
        assert.equal(repeated.length, 1, warnings.join('\n'))
        assert.match(repeated[0]!, /\/api, and every route file's URL starts with \/api too/)
        assert.match(repeated[0]!, /\/api\/items answers \/api\/api\/items/)
        assert.match(repeated[0]!, /give the folder inside as dir \('\.\/.*api'\)/)
      } finally {
        await target.close()
      }
    })

    test('a folder with a route file outside api/ is the app’s choice: no warning', async () => {
      const warnings: string[] = []
      const target = await start(mixed, warnings)
      try {
        assert.equal((await target.send('/health')).status, 200)
        assert.deepEqual(warnings, [])
      } finally {
        await target.close()
      }
    })
  })
}

test('the core with basePath /api over app/api warns the same way', async () => {
  const warnings: string[] = []
  const routes = await createRouteHandlers({ dir: nextLayout, basePath: '/api', logger: { warn: (message) => void warnings.push(message), error() {} } }).ready()
  assert.equal((await routes.handle(new Request('http://localhost/api/items')))?.status ?? 404, 404)
  assert.equal((await routes.handle(new Request('http://localhost/api/api/items')))?.status, 200)
  assert.equal(warnings.length, 1, warnings.join('\n'))
  assert.match(warnings[0]!, /^route-handlers: basePath \/api, and every route file's URL starts with \/api too/)
  await routes.close()
})
