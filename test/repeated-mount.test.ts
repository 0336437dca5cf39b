/**
 * A Next.js app's route folder keeps its handlers in `app/api/`: mounted whole at `/api`, they answer
 * `/api/api/…` and `/api/…` is not found. Both hosts say so once, naming the fix, when most route
 * files repeat the prefix (a whole `app/` has a few outside `api/`); a folder with half of them
 * outside is the app's choice and gets no warning.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers } from '../lib/index.ts'
import { fastifyListening, listen } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const route = 'export function GET() { return Response.json({ ok: true }) }\n'
const nextLayout = tempRouteFolder({ 'api/items/route.ts': route, 'api/users/[id]/route.ts': route })
const mixed = tempRouteFolder({ 'api/items/route.ts': route, 'health/route.ts': route })
// A whole Next.js app/: its API under api/, an OG image route outside it (trial: openstatus, formbricks).
const wholeApp = tempRouteFolder({ 'api/items/route.ts': route, 'api/users/[id]/route.ts': route, 'api/health/route.ts': route, 'og/route.ts': route })

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

    test("a whole app/ with most route files under api/: the warning says how many, and names the root mount", async () => {
      const warnings: string[] = []
      const target = await start(wholeApp, warnings)
      try {
        assert.equal((await target.send('/items')).status, 404)
        assert.equal(warnings.length, 1, warnings.join('\n'))
        assert.match(warnings[0]!, /\/api, and 3 of the 4 route files' URLs start with \/api too/)
        assert.match(warnings[0]!, /Mount the folder at the root, where every route file answers its Next\.js URL\.$/)
      } finally {
        await target.close()
      }
    })

    test('a folder with half of its route files outside api/ is the app’s choice: no warning', async () => {
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

// Trial (papermark keeps its enterprise API in app/(ee)/api): with './app/api' as dir, as the
// warning above suggests, the group's route files, which Next.js serves under /api too, were left
// out with nothing said.
test('a route group beside the route folder with a folder of its name: warned about, once', async () => {
  const app = tempRouteFolder({
    'api/items/route.ts': route,
    '(ee)/api/billing/route.ts': route,
    '(marketing)/(nested)/api/og/route.ts': route,
    // No route file in it: nothing to say.
    '(empty)/api/readme.md': 'notes\n',
  })
  const warnings: string[] = []
  const routes = await createRouteHandlers({ dir: join(app, 'api'), logger: { warn: (message) => void warnings.push(message), error() {} } }).ready()
  try {
    assert.equal(warnings.length, 2, warnings.join('\n'))
    assert.match(warnings[0]!, /\(ee\)\/api" holds route files Next\.js serves under the same URLs as ".*\/api" \(a route group's name is not part of the URL\)/)
    assert.match(warnings[1]!, /\(marketing\)\/\(nested\)\/api" holds route files/)
    assert.equal((await routes.handle(new Request('http://localhost/billing')))?.status ?? 404, 404)
  } finally {
    await routes.close()
  }
})

// Review: a warning never fails the start. A twin that cannot be scanned (a file of that name here;
// a folder the server's user cannot read alike) is passed over.
test('a route group holding a file named like the route folder: no warning, and the app starts', async () => {
  const app = tempRouteFolder({ 'api/items/route.ts': route, '(ee)/api': 'not a folder\n' })
  const warnings: string[] = []
  const routes = await createRouteHandlers({ dir: join(app, 'api'), logger: { warn: (message) => void warnings.push(message), error() {} } }).ready()
  try {
    assert.deepEqual(warnings, [])
    assert.equal((await routes.handle(new Request('http://localhost/items')))?.status, 200)
  } finally {
    await routes.close()
  }
})
