/**
 * Two mounts of one app sharing a cache store (Redis, a `cacheHandler`, one store object): each
 * URL keeps its own entry. A guarded folder's cached answer (`/api/admin/users`) is never the
 * public folder's answer for the same folder path (`/api/users`), nor the other way round, and
 * instances that mount a folder at the same path share its entries.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { MemoryCacheHandler } from '../lib/index.ts'
import { fastifyListening, listen, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const cachedJson = (body: string) => `export const revalidate = 60\nexport function GET() { return Response.json(${body}) }\n`
const adminDir = tempRouteFolder({
  'users/route.ts': cachedJson("{ file: 'admin users', secret: 'admin only' }"),
  'report/route.ts': cachedJson("{ file: 'admin report', secret: 'admin only' }"),
})
const publicDir = tempRouteFolder({
  'users/route.ts': cachedJson("{ file: 'public users' }"),
  '[slug]/route.ts': [
    'export const revalidate = 60',
    'export const generateStaticParams = () => []',
    'export async function GET(_request: Request, { params }: { params: Promise<{ slug: string }> }) {',
    "  return Response.json({ file: 'public slug', slug: (await params).slug })",
    '}',
    '',
  ].join('\n'),
})
// Reads the mount path (not request data: the route stays cached), one entry per tenant's URL.
const tenantDir = tempRouteFolder({ 'info/route.ts': 'export const revalidate = 60\nexport function GET(request: import("next/server").NextRequest) { return Response.json({ tenant: request.nextUrl.basePath }) }\n' })
const quiet = { warn() {}, error() {} }
const ADMIN = { headers: { 'x-admin': 'yes' } }

const hosts: Record<string, (store: MemoryCacheHandler) => Promise<SocketTarget>> = {
  Express: async (store) => {
    const app = express()
    const requireAdmin: express.RequestHandler = (req, res, next) => (req.headers['x-admin'] === 'yes' ? next() : res.status(401).json({ error: 'unauthorized' }))
    app.use('/api/admin', requireAdmin, await routeHandlers({ dir: adminDir, cache: { store }, logger: quiet }).ready())
    app.use('/api', await routeHandlers({ dir: publicDir, cache: { store }, logger: quiet }).ready())
    return listen(app)
  },
  Fastify: async (store) => {
    const app = Fastify()
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', async (request, reply) => {
          if (request.headers['x-admin'] !== 'yes') return reply.code(401).send({ error: 'unauthorized' })
        })
        await scope.register(routeHandlersPlugin, { dir: adminDir, cache: { store }, logger: quiet })
      },
      { prefix: '/api/admin' },
    )
    await app.register(routeHandlersPlugin, { dir: publicDir, prefix: '/api', cache: { store }, logger: quiet })
    return fastifyListening(app)
  },
}

async function answer(target: SocketTarget, path: string, init?: RequestInit) {
  const response = await target.send(path, init)
  return { status: response.status, cache: response.headers.get('x-nextjs-cache'), body: (await response.json()) as Record<string, unknown> }
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: two mounts sharing one cache store`, () => {
    test('a guarded mount and a public one keep apart what they cached for the same folder path, whichever comes first', async () => {
      const target = await start(new MemoryCacheHandler())
      try {
        assert.deepEqual(await answer(target, '/api/admin/users', ADMIN), { status: 200, cache: 'MISS', body: { file: 'admin users', secret: 'admin only' } })
        assert.deepEqual(await answer(target, '/api/users'), { status: 200, cache: 'MISS', body: { file: 'public users' } })
        // The public folder first this time: the guarded entry is not the public one.
        assert.deepEqual(await answer(target, '/api/report'), { status: 200, cache: 'MISS', body: { file: 'public slug', slug: 'report' } })
        assert.deepEqual(await answer(target, '/api/admin/report', ADMIN), { status: 200, cache: 'MISS', body: { file: 'admin report', secret: 'admin only' } })
        assert.deepEqual(await answer(target, '/api/admin/users'), { status: 401, cache: null, body: { error: 'unauthorized' } })
        assert.deepEqual(await answer(target, '/api/users'), { status: 200, cache: 'HIT', body: { file: 'public users' } })
        assert.deepEqual(await answer(target, '/api/report'), { status: 200, cache: 'HIT', body: { file: 'public slug', slug: 'report' } })
        assert.deepEqual(await answer(target, '/api/admin/users', ADMIN), { status: 200, cache: 'HIT', body: { file: 'admin users', secret: 'admin only' } })
      } finally {
        await target.close()
      }
    })
  })
}

test('Express and Fastify mounting a folder at the same path on one store share its entries', async () => {
  const store = new MemoryCacheHandler()
  const express = await hosts.Express!(store)
  const fastify = await hosts.Fastify!(store)
  try {
    assert.equal((await answer(express, '/api/users')).cache, 'MISS')
    assert.equal((await answer(fastify, '/api/users')).cache, 'HIT')
    assert.equal((await answer(fastify, '/api/admin/users', ADMIN)).cache, 'MISS')
    assert.equal((await answer(express, '/api/admin/users', ADMIN)).cache, 'HIT')
  } finally {
    await Promise.all([express.close(), fastify.close()])
  }
})

test("Express routes every case of a mount path to it (case-insensitive by default): each spelling is its own entry, as a URL cache keys them; tenants in a mount path that differ in case never share one (review)", async () => {
  const app = express()
  app.use('/api', await routeHandlers({ dir: publicDir, cache: { store: new MemoryCacheHandler() }, logger: quiet }).ready())
  app.use('/t/:tenant', await routeHandlers({ dir: tenantDir, cache: { store: new MemoryCacheHandler() }, logger: quiet }).ready())
  const target = await listen(app)
  try {
    assert.equal((await answer(target, '/api/users')).cache, 'MISS')
    assert.equal((await answer(target, '/api/users')).cache, 'HIT')
    assert.equal((await answer(target, '/API/users')).cache, 'MISS')
    assert.deepEqual(await answer(target, '/t/acme/info'), { status: 200, cache: 'MISS', body: { tenant: '/t/acme' } })
    assert.deepEqual(await answer(target, '/t/ACME/info'), { status: 200, cache: 'MISS', body: { tenant: '/t/ACME' } })
  } finally {
    await target.close()
  }
})

test("Express with case-sensitive routing: mounts that differ in case only keep their entries apart", async () => {
  const store = new MemoryCacheHandler()
  const app = express()
  app.set('case sensitive routing', true)
  app.use('/API', await routeHandlers({ dir: adminDir, cache: { store }, logger: quiet }).ready())
  app.use('/api', await routeHandlers({ dir: publicDir, cache: { store }, logger: quiet }).ready())
  const target = await listen(app)
  try {
    assert.deepEqual(await answer(target, '/API/users'), { status: 200, cache: 'MISS', body: { file: 'admin users', secret: 'admin only' } })
    assert.deepEqual(await answer(target, '/api/users'), { status: 200, cache: 'MISS', body: { file: 'public users' } })
    assert.deepEqual(await answer(target, '/api/users'), { status: 200, cache: 'HIT', body: { file: 'public users' } })
  } finally {
    await target.close()
  }
})
