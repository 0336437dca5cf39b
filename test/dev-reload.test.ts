/**
 * Dev reload (issue 11): under a running Express and a running Fastify app, edits to route files
 * and the project modules they import, added and deleted route files, and a broken edit and its
 * fix, each seen on the next request, while the app's own module state stays.
 */
import assert from 'node:assert/strict'
import express from 'express'
import Fastify from 'fastify'
import { mkdirSync, renameSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers, isRouteHandlersError, type Logger } from '../lib/index.ts'
import { appErrorHandler, fastifyListening, listen, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

interface Project {
  root: string
  write(path: string, source: string): void
  remove(path: string): void
}

function project(files: Record<string, string>): Project {
  const root = tempRouteFolder(files)
  return {
    root,
    write(path, source) {
      mkdirSync(dirname(join(root, path)), { recursive: true })
      writeFileSync(join(root, path), source)
    },
    remove: (path) => rmSync(join(root, path), { recursive: true }),
  }
}

/** A route that answers with its own version, a project module's word, and the app's pool. */
const helloRoute = (version: number) =>
  `import { pool } from '../../lib/pool'\nimport { word } from '../../lib/word'\n` +
  `export function GET() { pool.queries++; return Response.json({ version: ${version}, word, pool: pool.id }) }\n`

const initialFiles = {
  'package.json': '{ "type": "module" }\n',
  // The app's own state: the host imports it at start-up, as it would open its db pool.
  'lib/pool.ts': 'export const pool = { id: Math.random(), queries: 0 }\n',
  'lib/word.ts': "export const word = 'one'\n",
  'app/hello/route.ts': helloRoute(1),
  'app/other/route.ts': "export const GET = () => new Response('other')\n",
}

function recordingLogger(): Logger & { errors: string[]; codes: string[]; warnings: string[] } {
  const errors: string[] = []
  const codes: string[] = []
  const warnings: string[] = []
  return {
    errors,
    codes,
    warnings,
    warn(message) {
      warnings.push(message)
    },
    error(message, error) {
      errors.push(message)
      if (isRouteHandlersError(error)) codes.push(error.code)
    },
  }
}

/**
 * Runs `change`, then resolves once a watcher of the test's own on `folder` has reported `name` and
 * a turn has passed: a reloading handler's watchers have seen it too by then.
 */
async function watchersSee(folder: string, name: string, change: () => void): Promise<void> {
  let seen = false
  const watcher = watch(folder, (_event, changed) => void (seen ||= String(changed) === name))
  try {
    change()
    for (let attempt = 0; attempt < 200 && !seen; attempt++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(seen, `a watcher saw ${name} in ${folder}`)
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    watcher.close()
  }
}

/**
 * What `path` answers once it answers `expected`, or its last answer after 200 tries 10 ms apart:
 * a file written where a watcher of the reload looks is seen a few milliseconds later.
 */
async function answerOnceReloaded(target: SocketTarget, path: string, expected: string): Promise<string> {
  let answer = ''
  for (let attempt = 0; attempt < 200 && answer !== expected; attempt++) {
    answer = await (await target.send(path)).text()
    if (answer !== expected) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return answer
}

type Start = (dir: string, logger: Logger) => Promise<SocketTarget>

const hosts: Record<string, Start> = {
  async express(dir, logger) {
    const app = express()
    app.use(await routeHandlers({ dir, reload: true, logger }).ready())
    app.use(appErrorHandler)
    const target = await listen(app)
    return target
  },
  async fastify(dir, logger) {
    const app = Fastify()
    app.setErrorHandler((error: { statusCode?: number }, _request, reply) => reply.code(error.statusCode ?? 500).send('Internal Server Error'))
    await app.register(routeHandlersPlugin, { dir, reload: true, logger })
    return fastifyListening(app)
  },
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`dev reload under ${name} (issue 11)`, () => {
    test('edits, added and deleted route files and a broken edit are each seen on the next request; the app keeps its pool', async () => {
      const files = project(initialFiles)
      const { pool } = (await import(pathToFileURL(join(files.root, 'lib/pool.ts')).href)) as { pool: { id: number; queries: number } }
      const logger = recordingLogger()
      const target = await start(join(files.root, 'app'), logger)
      const json = async (path: string) => {
        const response = await target.send(path)
        assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`)
        return response.json()
      }
      try {
        assert.deepEqual(await json('/hello'), { version: 1, word: 'one', pool: pool.id })

        files.write('app/hello/route.ts', helloRoute(2))
        assert.deepEqual(await json('/hello'), { version: 2, word: 'one', pool: pool.id }, 'an edited route file')

        files.write('lib/word.ts', "export const word = 'two'\n")
        assert.deepEqual(await json('/hello'), { version: 2, word: 'two', pool: pool.id }, 'an edited module it imports')

        files.write('app/added/[slug]/route.ts', 'export async function GET(_: Request, { params }: { params: Promise<{ slug: string }> }) { return Response.json(await params) }\n')
        assert.deepEqual(await json('/added/x'), { slug: 'x' }, 'an added route file, in new folders')

        files.remove('app/added')
        assert.equal((await target.send('/added/x')).status, 404, 'a deleted route file')

        files.write('app/hello/route.ts', 'export function GET() {\n  return new Response(\n}\n')
        assert.equal((await target.send('/hello')).status, 500, 'a syntax error answers 500')
        assert.match(logger.errors.join('\n'), /hello\/route\.ts:3:1/, 'and is logged with file:line:column')
        assert.equal(await (await target.send('/other')).text(), 'other', 'the other routes serve')

        files.write('app/hello/route.ts', helloRoute(3))
        assert.deepEqual(await json('/hello'), { version: 3, word: 'two', pool: pool.id }, 'the fix recovers')
        // Every request reached the one pool the app holds.
        assert.equal(pool.queries, 4)
      } finally {
        await target.close()
      }
    })

    test('an import of a file yet to be written, beside one it imports, recovers when it is written', async () => {
      const files = project({
        'lib/word.ts': "export const word = 'before'\n",
        'app/late/route.ts': "import { word } from '../../lib/word'\nexport const GET = () => new Response(word)\n",
      })
      const target = await start(join(files.root, 'app'), recordingLogger())
      try {
        files.write('app/late/route.ts', "import { late } from '../../lib/late'\nexport const GET = () => new Response(late)\n")
        assert.equal((await target.send('/late')).status, 500)
        files.write('lib/late.ts', "export const late = 'after'\n")
        assert.equal(await (await target.send('/late')).text(), 'after')
      } finally {
        await target.close()
      }
    })

    test('an import of a file in a folder nothing watched yet (not there at all) recovers when it is written (trial)', async () => {
      // A package.json in the route folder itself (for its "type") does not make it the project.
      const files = project({ 'app/package.json': '{ "type": "module" }\n', 'app/late/route.ts': "export const GET = () => new Response('before')\n" })
      const target = await start(join(files.root, 'app'), recordingLogger())
      try {
        // Through tsconfig-less relative paths: `shared/` is outside the route folder, and no module
        // the routes reached lives in it or beside it.
        files.write('app/late/route.ts', "import { late } from '../../shared/deep/late'\nexport const GET = () => new Response(late)\n")
        assert.equal((await target.send('/late')).status, 500)
        // Another file first, where the missing one is looked for (the import is tried again, and
        // fails again); then the folders, then the file, as an editor's "new file" does.
        await watchersSee(files.root, 'other.ts', () => files.write('other.ts', 'export const other = 1\n'))
        assert.equal((await target.send('/late')).status, 500)
        await watchersSee(files.root, 'shared', () => mkdirSync(join(files.root, 'shared/deep'), { recursive: true }))
        files.write('shared/deep/late.ts', "export const late = 'after'\n")
        assert.equal(await answerOnceReloaded(target, '/late', 'after'), 'after')
      } finally {
        await target.close()
      }
    })

    test('an import through tsconfig `paths` of a file in a folder not there yet recovers when it is written (trial)', async () => {
      const files = project({
        'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } }),
        'app/aliased/route.ts': "export const GET = () => new Response('before')\n",
      })
      const target = await start(join(files.root, 'app'), recordingLogger())
      try {
        files.write('app/aliased/route.ts', "import { word } from '@/lib/not-yet/word'\nexport const GET = () => new Response(word)\n")
        assert.equal((await target.send('/aliased')).status, 500)
        files.write('lib/not-yet/word.ts', "export const word = 'written'\n")
        assert.equal(await answerOnceReloaded(target, '/aliased', 'written'), 'written')
      } finally {
        await target.close()
      }
    })
  })
}

describe('the reload option (issue 11)', () => {
  const dir = () => join(project(initialFiles).root, 'app')

  test('off unless NODE_ENV is development; the option decides either way', async (t) => {
    const previous = process.env.NODE_ENV
    t.after(() => {
      if (previous === undefined) delete process.env.NODE_ENV
      else process.env.NODE_ENV = previous
    })
    const reloadFor = async (nodeEnv: string | undefined, reload?: boolean) => {
      if (nodeEnv === undefined) delete process.env.NODE_ENV
      else process.env.NODE_ENV = nodeEnv
      const routes = createRouteHandlers({ dir: dir(), reload, logger: recordingLogger() })
      await routes.close()
      return routes.reload
    }
    assert.equal(await reloadFor(undefined), false)
    assert.equal(await reloadFor('production'), false)
    assert.equal(await reloadFor('development'), true)
    assert.equal(await reloadFor('development', false), false)
    assert.equal(await reloadFor('production', true), true)
  })

  // The edits are awaited through watchers of the test's own on the same folders: once they have
  // seen both, a reloading handler has too (its watchers run in the same turn), so the control
  // with reload on must show them, and the one with reload off must not.
  for (const reload of [true, false]) {
    test(`reload: ${reload} ${reload ? 'sees' : 'serves what start-up loaded, not'} the edits, once a watcher has seen them`, async () => {
      const files = project(initialFiles)
      const routes = await createRouteHandlers({ dir: join(files.root, 'app'), reload, logger: recordingLogger() }).ready()
      const seen = new Set<string>()
      const watchers = ['lib', 'app'].map((folder) => watch(join(files.root, folder), (_event, name) => void seen.add(String(name))))
      try {
        files.write('lib/word.ts', "export const word = 'changed'\n")
        files.write('app/added/route.ts', "export const GET = () => new Response('added')\n")
        for (let attempt = 0; attempt < 200 && !(seen.has('word.ts') && seen.has('added')); attempt++) await new Promise((resolve) => setTimeout(resolve, 10))
        assert.ok(seen.has('word.ts') && seen.has('added'), 'the edits were seen by a watcher')
        await new Promise((resolve) => setImmediate(resolve))
        const response = await routes.handle(new Request('http://localhost/hello'))
        assert.equal(((await response?.json()) as { word: string }).word, reload ? 'changed' : 'one')
        assert.equal((await routes.handle(new Request('http://localhost/added'))) === null, !reload)
      } finally {
        for (const watcher of watchers) watcher.close()
        await routes.close()
      }
    })
  }

  test('a route folder reached through a symlink: an edited route file reloads (review)', async () => {
    const files = project(initialFiles)
    symlinkSync(join(files.root, 'app'), join(files.root, 'linked-app'))
    const routes = await createRouteHandlers({ dir: join(files.root, 'linked-app'), reload: true, logger: recordingLogger() }).ready()
    try {
      await watchersSee(join(files.root, 'app/hello'), 'route.ts', () => files.write('app/hello/route.ts', helloRoute(2)))
      assert.equal(((await (await routes.handle(new Request('http://localhost/hello')))?.json()) as { version: number }).version, 2)
    } finally {
      await routes.close()
    }
  })

  test('a route folder moved away, edited and moved back serves the edit (review)', async () => {
    const files = project(initialFiles)
    const routes = await createRouteHandlers({ dir: join(files.root, 'app'), reload: true, logger: recordingLogger() }).ready()
    try {
      assert.equal(await (await routes.handle(new Request('http://localhost/other')))?.text(), 'other')
      await watchersSee(join(files.root, 'app'), 'other', () => renameSync(join(files.root, 'app/other'), join(files.root, 'away')))
      writeFileSync(join(files.root, 'away/route.ts'), "export const GET = () => new Response('other, edited')\n")
      await watchersSee(join(files.root, 'app'), 'other', () => renameSync(join(files.root, 'away'), join(files.root, 'app/other')))
      assert.equal(await (await routes.handle(new Request('http://localhost/other')))?.text(), 'other, edited')
    } finally {
      await routes.close()
    }
  })

  // Trial: a branch without app/ checked out and back (or `mv app` and back) stopped dev reload for
  // good: every watcher had gone with the folder.
  test('the route folder itself moved away and back: later edits and added files are served', async () => {
    const files = project(initialFiles)
    const logger = recordingLogger()
    const routes = await createRouteHandlers({ dir: join(files.root, 'app'), reload: true, logger }).ready()
    try {
      assert.equal(await (await routes.handle(new Request('http://localhost/other')))?.text(), 'other')
      await watchersSee(files.root, 'app', () => renameSync(join(files.root, 'app'), join(files.root, 'stashed')))
      await watchersSee(files.root, 'app', () => renameSync(join(files.root, 'stashed'), join(files.root, 'app')))
      await watchersSee(join(files.root, 'app'), 'added', () => files.write('app/added/route.ts', "export const GET = () => new Response('added')\n"))
      await watchersSee(join(files.root, 'app/other'), 'route.ts', () => files.write('app/other/route.ts', "export const GET = () => new Response('other, edited')\n"))
      let added = await routes.handle(new Request('http://localhost/added'))
      for (let tries = 0; added === null && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        added = await routes.handle(new Request('http://localhost/added'))
      }
      assert.equal(await added?.text(), 'added')
      assert.equal(await (await routes.handle(new Request('http://localhost/other')))?.text(), 'other, edited')
    } finally {
      await routes.close()
    }
  })

  test('a reload option that is not a boolean is RH_ERR_OPTIONS_INVALID', () => {
    assert.throws(() => createRouteHandlers({ dir: dir(), reload: 'yes' as unknown as boolean }), { code: 'RH_ERR_OPTIONS_INVALID' })
  })
})

test('Fastify: with dev reload the app may still register its own wildcard, and paths no route file matches reach it (issue 11)', async () => {
  const files = project({ 'app/first/route.ts': "export const GET = () => new Response('first')\n" })
  const app = Fastify()
  const logger = recordingLogger()
  await app.register(routeHandlersPlugin, { dir: join(files.root, 'app'), prefix: '/api', reload: true, logger })
  // What @fastify/static registers, after the plugin: no FST_ERR_DUPLICATED_ROUTE.
  app.get('/*', async (request) => `app: ${request.url}`)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    return `${response.status} ${await response.text()}`
  }
  try {
    files.write('app/added/route.ts', "export const GET = () => new Response('added')\n")
    assert.equal(await get('/api/added'), '200 added')
    assert.equal(await get('/api/first'), '200 first')
    assert.equal(await get('/api/missing'), '200 app: /api/missing')
    assert.equal(await get('/elsewhere'), '200 app: /elsewhere')
    // Trial: a guard keyed on request.routeOptions.url let a file added under /api/admin through.
    const added = logger.warnings.filter((warning) => warning.includes('was added while the app runs'))
    assert.equal(added.length, 1)
    assert.match(added[0]!, /^route-handlers: \/api\/added \([^)]*added[/\\]route\.ts\) was added while the app runs[^]*\/api\/\*[^]*routeOptions\.url[^]*Restart/)
    // Its start-up route stays in Fastify's router, and hands the request to the not-found handler.
    files.remove('app/first')
    assert.match(await get('/api/first'), /^404 /)
  } finally {
    app.server.closeAllConnections()
    await app.close()
  }
})

test('Fastify with dev reload: a route file that gains a method after start-up answers it; one that loses a method answers 405 (issue 13)', async () => {
  // Only the methods a file exports at start-up are its Fastify routes; the rest reach the fallback.
  const files = project({ 'app/thing/route.ts': "export const GET = () => new Response('get')\n" })
  const app = Fastify()
  const logger = recordingLogger()
  await app.register(routeHandlersPlugin, { dir: join(files.root, 'app'), reload: true, logger })
  const added = () => logger.warnings.filter((warning) => warning.includes('was added while the app runs'))
  const target = await fastifyListening(app)
  const send = async (method: string) => {
    const response = await target.send('/thing', { method })
    return [response.status, response.headers.get('allow'), await response.text()].filter(Boolean).join(' ')
  }
  try {
    assert.equal(await send('POST'), '405 GET, HEAD, OPTIONS')
    assert.deepEqual(added(), [], 'a 405 runs no handler: nothing to say')
    files.write('app/thing/route.ts', "export const GET = () => new Response('get')\nexport const POST = () => new Response('post')\n")
    assert.equal(await send('POST'), '200 post')
    // Said for the first request it served (an adversarial trial: a DELETE added to a guarded file
    // ran under the fallback, past the route's guard, with nothing said), once its answer has gone.
    for (let turn = 0; turn < 100 && added().length === 0; turn++) await new Promise((resolve) => setImmediate(resolve))
    assert.equal(added().length, 1, 'said at the first request')
    assert.equal(await send('POST'), '200 post')
    assert.equal(added().length, 1, 'said once')
    assert.match(added()[0]!, /^route-handlers: POST \/thing /)
    assert.equal(await send('OPTIONS'), '204 GET, HEAD, OPTIONS, POST')
    files.write('app/thing/route.ts', "export const POST = () => new Response('post')\n")
    assert.equal(await send('GET'), '405 OPTIONS, POST')
    assert.equal(await send('POST'), '200 post')
  } finally {
    await target.close()
  }
})

// Adversarial probing: with dev reload every start-up route matched in the whole table on the raw
// path, so a raw /api/%68ealth that Fastify gives health's route (public by its config) ran
// [...slug] (private) past the app's guard; without reload it is a 404. A dev-workflow trial: a
// users/me added beside users/[id] went through users/[id]'s route, its hooks and public config.
test("Fastify with dev reload: each route answers for its own file only; a file added since start-up behind another file's route is not found there, said once", async () => {
  const files = project({
    'app/health/route.ts': "export const GET = () => new Response('health')\n",
    'app/[...slug]/route.ts': "export const GET = () => new Response('[...slug]')\n",
    'app/users/[id]/route.ts': "export const GET = () => new Response('users/[id]')\n",
  })
  const app = Fastify()
  const logger = recordingLogger()
  await app.register(routeHandlersPlugin, { dir: join(files.root, 'app'), reload: true, logger })
  const added = () => logger.warnings.filter((warning) => warning.includes('was added while the app runs'))
  const target = await fastifyListening(app)
  const send = async (path: string) => {
    const response = await target.send(path)
    return `${response.status} ${response.status === 200 ? await response.text() : ''}`.trim()
  }
  try {
    assert.equal(await send('/health'), '200 health')
    assert.equal(await send('/%68ealth'), '404')
    assert.equal(await send('/users/7'), '200 users/[id]')
    files.write('app/users/me/route.ts', "export const GET = () => new Response('users/me')\n")
    // Before its methods are known, and after a table rebuilt by another save.
    assert.equal(await send('/users/me'), '404')
    files.write('app/users/[id]/route.ts', "export const GET = () => new Response('users/[id] again')\n")
    assert.equal(await send('/users/me'), '404')
    assert.equal(await send('/users/8'), '200 users/[id] again')
    assert.equal(added().length, 1)
    assert.match(added()[0]!, /\/users\/me .* gives its URL to the route of \/users\/\[id\]/)
    // Deleted, seen so, and written again (an editor's save): its own start-up route serves it again.
    files.remove('app/users/[id]/route.ts')
    assert.equal(await send('/users/9'), '404')
    files.write('app/users/[id]/route.ts', "export const GET = () => new Response('users/[id] back')\n")
    assert.equal(await send('/users/9'), '200 users/[id] back')
    assert.equal(added().length, 1)
  } finally {
    await target.close()
  }
})

test('dev reload: a CommonJS route file, the CommonJS module it requires and a JSON file are read again when edited (issue 11)', async () => {
  const files = project({
    'lib/greeting.cjs': "exports.greeting = 'hello'\n",
    'lib/config.json': '{ "punctuation": "." }\n',
    'app/greet/route.cjs':
      "const { greeting } = require('../../lib/greeting.cjs')\nconst config = require('../../lib/config.json')\n" +
      'exports.GET = () => new Response(greeting + config.punctuation)\n',
  })
  const target = await hosts.express!(join(files.root, 'app'), recordingLogger())
  const text = async () => (await target.send('/greet')).text()
  try {
    assert.equal(await text(), 'hello.')
    files.write('lib/greeting.cjs', "exports.greeting = 'hi'\n")
    assert.equal(await text(), 'hi.')
    files.write('lib/config.json', '{ "punctuation": "!" }\n')
    assert.equal(await text(), 'hi!')
    files.write('app/greet/route.cjs', "exports.GET = () => new Response('rewritten')\n")
    assert.equal(await text(), 'rewritten')
  } finally {
    await target.close()
  }
})

test('dev reload: a file named almost like a route file, added while the app runs, is warned about as at start-up (trial)', async () => {
  const files = project({ 'app/hello/route.ts': "export const GET = () => new Response('hello')\n" })
  const warnings: string[] = []
  const routes = await createRouteHandlers({ dir: join(files.root, 'app'), reload: true, logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
  try {
    // The folder first, the file once its folder is watched: as an editor makes them.
    await watchersSee(join(files.root, 'app'), 'orders', () => mkdirSync(join(files.root, 'app/orders')))
    await watchersSee(join(files.root, 'app/orders'), 'Route.ts', () => files.write('app/orders/Route.ts', "export const GET = () => new Response('orders')\n"))
    for (let tries = 0; warnings.length === 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /"orders\/Route\.ts" is not a route file/)
    // Said once, not on every later change.
    await watchersSee(join(files.root, 'app'), 'other', () => files.write('app/other/route.ts', "export const GET = () => new Response('other')\n"))
    assert.equal(warnings.length, 1)
  } finally {
    await routes.close()
  }
})

test('dev reload: an added file that breaks the layout is logged and the routes stay as they were until it goes (issue 11)', async () => {
  const files = project({ 'app/hello/route.ts': "export const GET = () => new Response('hello')\n" })
  const logger = recordingLogger()
  const target = await hosts.express!(join(files.root, 'app'), logger)
  try {
    files.write('app/(group)/hello/route.ts', "export const GET = () => new Response('duplicate')\n")
    assert.equal(await (await target.send('/hello')).text(), 'hello')
    const layoutErrors = () => logger.errors.filter((message) => message.includes('"/hello"') && message.includes('until this is fixed'))
    assert.equal(layoutErrors().length, 1)
    // A route added while the error stands is not served either: the error is said again beside it
    // (trial: a silent 404).
    await watchersSee(join(files.root, 'app'), 'waiting', () => files.write('app/waiting/route.ts', "export const GET = () => new Response('waiting')\n"))
    assert.equal((await target.send('/waiting')).status, 404)
    assert.equal(layoutErrors().length, 2)
    files.remove('app/(group)')
    files.write('app/added/route.ts', "export const GET = () => new Response('added')\n")
    assert.equal(await (await target.send('/added')).text(), 'added')
  } finally {
    await target.close()
  }
})
