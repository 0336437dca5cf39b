/**
 * What a route folder says at start-up, on every host: a warning for an empty folder and for files
 * named like a route file that are not one (everything 404ed in silence, issue 11), and the
 * opt-in route table (`logRoutes`) through the host's logger.
 */
import assert from 'node:assert/strict'
import express from 'express'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers, type Logger } from '../lib/index.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

interface Options {
  dir: string
  logger: Logger
  logRoutes?: boolean
}

/** Starts a host over the folder, answers `GET path` through it, and stops it. */
type Host = (options: Options, path: string) => Promise<number>

const hosts: Record<string, Host> = {
  core: async (options, path) => {
    const routes = createRouteHandlers(options)
    // A broken route file rejects ready(); the others serve, as on the hosts.
    await routes.ready().catch(() => {})
    return (await routes.handle(new Request(`http://localhost${path}`)))?.status ?? 404
  },
  express: async (options, path) => {
    const app = express()
    const middleware = routeHandlers(options)
    await middleware.ready().catch(() => {})
    app.use(middleware)
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      return (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`)).status
    } finally {
      server.closeAllConnections()
      server.close()
    }
  },
  fastify: async (options, path) => {
    const app = Fastify()
    await app.register(routeHandlersPlugin, options)
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      return (await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`)).status
    } finally {
      await app.close()
    }
  },
}

function recorder(withInfo = true): { logger: Logger; warnings: string[]; infos: string[] } {
  const warnings: string[] = []
  const infos: string[] = []
  const logger: Logger = { warn: (message) => warnings.push(message), error() {} }
  if (withInfo) logger.info = (message) => infos.push(message)
  return { logger, warnings, infos }
}

for (const [name, host] of Object.entries(hosts)) {
  describe(`route folder at start-up: ${name}`, () => {
    test('an empty route folder is warned about, not served in silence (issue 11)', async () => {
      const { logger, warnings } = recorder()
      assert.equal(await host({ dir: tempRouteFolder({ 'README.md': '# routes go here' }), logger }, '/'), 404)
      assert.equal(warnings.length, 1)
      assert.match(warnings[0]!, /no route files/)
    })

    test('index.ts, routes.ts, Route.ts and route.txt in a folder without a route file are warned about, each by name (issue 11)', async () => {
      const { logger, warnings } = recorder()
      const dir = tempRouteFolder({
        'hello/route.ts': 'export const GET = () => new Response("hi")\n',
        'users/index.ts': 'export const GET = () => new Response()\n',
        'orders/routes.ts': 'export const GET = () => new Response()\n',
        'Carts/Route.ts': 'export const GET = () => new Response()\n',
        // NextAuth v5's route file, misnamed.
        'auth/[...nextauth]/index.ts': "import { handlers } from '../../lib/auth'\nexport const { GET, POST } = handlers\n",
        'feed/route.txt': 'GET',
        // Helpers: beside a route file, or in a private folder.
        'hello/index.ts': 'export const helper = 1\n',
        'hello/route.test.ts': 'export {}\n',
        '_lib/index.ts': 'export const helper = 1\n',
        // A component and a helper kept in the app folder, as Next.js apps keep them (trials:
        // unkey's 79 warnings, lobe-chat's middleware/auth/index.ts).
        'settings/nav/index.tsx': 'export default function Nav() { return null }\n',
        'settings/nav/index.module.css': '.nav {}\n',
        'middleware/auth/index.ts': 'export const checkAuth = (handler: unknown) => handler\n',
        'legacy/routes.ts': 'export const router = {}\n',
      })
      assert.equal(await host({ dir, logger }, '/hello'), 200)
      const named = warnings.map((warning) => /"([^"]+)" is not a route file/.exec(warning)?.[1])
      assert.deepEqual(named.sort(), ['Carts/Route.ts', 'auth/[...nextauth]/index.ts', 'feed/route.txt', 'orders/routes.ts', 'users/index.ts'])
    })

    // Trial: an auth check in a Next.js middleware.ts never ran, with nothing said.
    test("Next.js middleware (middleware.ts, Next 16's proxy.ts) beside the route folder or in it is warned about; an Express app's own middleware.js is not", async () => {
      const { logger, warnings } = recorder()
      const root = tempRouteFolder({
        'middleware.ts': "import { NextResponse } from 'next/server'\nexport function middleware() { return NextResponse.next() }\nexport const config = { matcher: '/api/:path*' }\n",
        'app/proxy.ts': "export { auth as proxy } from './auth'\n",
        'app/hello/route.ts': 'export const GET = () => new Response("hi")\n',
        'other/middleware.js': 'module.exports = { requireUser: (req, res, next) => next() }\n',
        'other/app/hello/route.ts': 'export const GET = () => new Response("hi")\n',
      })
      assert.equal(await host({ dir: join(root, 'app'), logger }, '/hello'), 200)
      assert.equal(await host({ dir: join(root, 'other/app'), logger }, '/hello'), 200)
      const named = warnings.map((warning) => /"([^"]+)" is Next\.js middleware/.exec(warning)?.[1]).filter((file) => file !== undefined)
      assert.deepEqual(named, [join(root, 'middleware.ts'), join(root, 'app/proxy.ts')])
    })

    test('past five lookalikes, the rest are counted in one warning', async () => {
      const { logger, warnings } = recorder()
      const files: Record<string, string> = { 'hello/route.ts': 'export const GET = () => new Response("hi")\n' }
      for (let index = 0; index < 8; index++) files[`misnamed/m${index}/index.ts`] = 'export async function GET() { return new Response() }\n'
      const dir = tempRouteFolder(files)
      assert.equal(await host({ dir, logger }, '/hello'), 200)
      assert.equal(warnings.filter((warning) => warning.includes('is not a route file')).length, 5)
      assert.ok(warnings.some((warning) => warning.includes('3 more files named like a route file')), warnings.join('\n'))
    })

    test('a page beside a route file (Next.js: "Conflicting route and page") is warned about; the route file serves', async () => {
      const { logger, warnings } = recorder()
      const dir = tempRouteFolder({
        'auth/callback/route.ts': 'export const GET = () => new Response("callback")\n',
        'auth/callback/page.tsx': 'export default function Page() { return null }\n',
        // A page in a folder of its own, or a route's other helpers, are not conflicts.
        'auth/login/page.tsx': 'export default function Page() { return null }\n',
        'hello/route.ts': 'export const GET = () => new Response("hi")\n',
        'hello/layout.tsx': 'export default function Layout() { return null }\n',
      })
      assert.equal(await host({ dir, logger }, '/auth/callback'), 200)
      assert.equal(warnings.length, 1, warnings.join('\n'))
      assert.match(warnings[0]!, /"auth\/callback\/route\.ts" has a page beside it, "auth\/callback\/page\.tsx"/)
      assert.match(warnings[0]!, /Conflicting route and page/)
    })

    test('a page with a route file\'s URL through another route group is warned about (Next.js: "two parallel pages"); the route file serves (trial)', async () => {
      const { logger, warnings } = recorder()
      const dir = tempRouteFolder({
        '(api)/about/route.ts': 'export const GET = () => new Response("about")\n',
        '(site)/about/page.tsx': 'export default function Page() { return null }\n',
        // A page with its param named otherwise is the same URL too; so is the parent URL an
        // optional catch-all serves, and a catch-all against an optional one.
        'blog/[slug]/route.ts': 'export const GET = () => new Response("post")\n',
        '(marketing)/blog/[id]/page.tsx': 'export default function Page() { return null }\n',
        '(api)/docs/[[...slug]]/route.ts': 'export const GET = () => new Response("docs")\n',
        '(site)/docs/page.tsx': 'export default function Page() { return null }\n',
        '(api)/files/[[...path]]/route.ts': 'export const GET = () => new Response("files")\n',
        '(site)/files/[...rest]/page.tsx': 'export default function Page() { return null }\n',
        // Left out: a page under a parallel-route slot (Next works out its URL otherwise), and one
        // with a URL of its own.
        '(marketing)/@modal/about/page.tsx': 'export default function Page() { return null }\n',
        '(site)/contact/page.tsx': 'export default function Page() { return null }\n',
      })
      assert.equal(await host({ dir, logger }, '/about'), 200)
      const pairs = warnings.map((warning) => /"([^"]+)" and the page "([^"]+)" answer the same URL/.exec(warning)?.slice(1, 3))
      assert.deepEqual(pairs.sort(), [
        ['(api)/about/route.ts', '(site)/about/page.tsx'],
        ['(api)/docs/[[...slug]]/route.ts', '(site)/docs/page.tsx'],
        ['(api)/files/[[...path]]/route.ts', '(site)/files/[...rest]/page.tsx'],
        ['blog/[slug]/route.ts', '(marketing)/blog/[id]/page.tsx'],
      ])
      assert.match(warnings[0]!, /two parallel pages that resolve to the same path/)
    })

    test('logRoutes logs the route table through the logger once the methods are known (issue 11)', async () => {
      const { logger, infos, warnings } = recorder()
      const dir = tempRouteFolder({
        'items/route.ts': 'export const GET = () => new Response()\nexport const POST = () => new Response()\n',
        'items/[slug]/route.ts': 'export const GET = () => new Response()\n',
        'broken/route.ts': 'export const GET = (\n',
      })
      const failing = { ...logger, error() {} }
      assert.equal(await host({ dir, logger: failing, logRoutes: true }, '/items'), 200)
      assert.equal(warnings.length, 0)
      assert.equal(infos.length, 1)
      const lines = infos[0]!.split('\n')
      assert.match(lines[0]!, /^route-handlers: 3 route files in /)
      assert.deepEqual(lines.slice(1).map((line) => line.split(/ {2,}/)), [
        ['PATTERN', 'METHODS', 'FILE'],
        ['/broken', '(failed to load)', 'broken/route.ts'],
        ['/items', 'GET, POST', 'items/route.ts'],
        ['/items/[slug]', 'GET', 'items/[slug]/route.ts'],
      ])
    })

    test('without logRoutes, no table; a logger without info() gets it through warn()', async () => {
      const dir = tempRouteFolder({ 'a/route.ts': 'export const GET = () => new Response()\n' })
      const quiet = recorder()
      await host({ dir, logger: quiet.logger }, '/a')
      assert.deepEqual([quiet.infos, quiet.warnings], [[], []])
      const warnOnly = recorder(false)
      await host({ dir, logger: warnOnly.logger, logRoutes: true }, '/a')
      assert.equal(warnOnly.warnings.length, 1)
      assert.match(warnOnly.warnings[0]!, /\/a +GET +a\/route\.ts/)
    })
  })
}

test('Fastify: with no logger option, the route table goes to fastify.log at level info', async () => {
  const lines: { level: number; msg: string }[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string })
      done()
    },
  })
  const app = Fastify({ logger: { level: 'info', stream } })
  await app.register(routeHandlersPlugin, { dir: tempRouteFolder({ 'a/route.ts': 'export const GET = () => new Response()\n' }), logRoutes: true })
  await app.ready()
  await app.close()
  const table = lines.find((line) => line.msg.startsWith('route-handlers: 1 route file'))
  assert.equal(table?.level, 30)
  assert.match(table.msg, /\/a +GET +a\/route\.ts/)
})
