/**
 * Issue 10 #5: a symlinked route.ts was ignored, and symlinked folders were followed out of the
 * route folder and round cycles (`loop -> .` gave 41 URLs for one file; `loop -> ..` wandered into
 * /etc). Links are now followed inside the route folder only: linked route files and folders serve
 * at the link's path, one module however many links reach it; a link outside or round a cycle
 * fails start-up on every host, naming the link.
 */
import express from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers, isRouteHandlersError, type RouteHandlersErrorCode } from '../lib/index.ts'
import { expressTarget, fastifyTarget, quietLogger, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// Counts its own evaluations: a route file reached through links must be one module.
const COUNTED = `
const counter = globalThis as { __linkedRouteEvaluations?: number }
counter.__linkedRouteEvaluations = (counter.__linkedRouteEvaluations ?? 0) + 1
export function GET(request: Request) {
  return Response.json({ path: new URL(request.url).pathname, evaluations: counter.__linkedRouteEvaluations })
}
`
const GET = 'export const GET = () => new Response("ok")\n'

/** A route folder `app/` beside an `outside/` folder, with the links given (link → target, relative to the link's folder). */
function linkedFolder(links: Record<string, string>): string {
  const root = tempRouteFolder({ 'app/items/route.ts': COUNTED, 'outside/route.ts': GET, 'outside/x/route.ts': GET })
  for (const [link, target] of Object.entries(links)) {
    mkdirSync(dirname(join(root, 'app', link)), { recursive: true })
    symlinkSync(target, join(root, 'app', link))
  }
  return join(root, 'app')
}

// A linked folder, a linked route file, a linked folder holding a linked route file; a private link
// out of the folder and a broken link, neither routed.
const served = linkedFolder({
  alias: 'items',
  'nested/route.ts': '../items/route.ts',
  chain: 'nested',
  _outside: '../outside',
  broken: 'does-not-exist',
})

const HOSTS: Record<string, (dir: string) => Promise<Target>> = {
  Express: (dir) => expressTarget('', dir),
  Fastify: (dir) => fastifyTarget('', dir),
}

/** Starting the host on `dir` fails with `code`, naming `link`. */
async function startFails(host: string, dir: string, code: RouteHandlersErrorCode, link: string): Promise<void> {
  const start = async () => {
    if (host === 'Express') express().use(await routeHandlers({ dir, logger: quietLogger }).ready())
    else await Fastify().register(routeHandlersPlugin, { dir, logger: quietLogger }).ready()
  }
  await assert.rejects(start, (error: unknown) => {
    assert.ok(isRouteHandlersError(error), `expected a RouteHandlersError, got ${String(error)}`)
    assert.equal(error.code, code)
    assert.ok(error.message.includes(link), `the message names "${link}": ${error.message}`)
    return true
  })
}

for (const [host, start] of Object.entries(HOSTS)) {
  describe(`${host}: symlinks in the route folder`, () => {
    test('symlinks: a linked route.ts or folder serves at the link\'s path, one module for all (issue 10 #5)', async () => {
      const target = await start(served)
      try {
        for (const path of ['/items', '/alias', '/nested', '/chain']) {
          const response = await target.send(path)
          assert.equal(response.status, 200, path)
          assert.deepEqual(await response.json(), { path, evaluations: 1 })
        }
        // The private link out of the folder and the broken link are not routed.
        assert.equal((await target.send('/_outside')).status, 404)
        assert.equal((await target.send('/broken')).status, 404)
      } finally {
        await target.close()
      }
    })

    test('symlinks: a link out of the route folder fails start-up, naming it (issue 10 #5)', async () => {
      await startFails(host, linkedFolder({ up: '..' }), 'RH_ERR_DIR_SYMLINK_OUTSIDE', 'up')
      await startFails(host, linkedFolder({ ext: '../outside/x' }), 'RH_ERR_DIR_SYMLINK_OUTSIDE', 'ext')
      await startFails(host, linkedFolder({ 'items/deep/route.ts': '../../../outside/route.ts' }), 'RH_ERR_DIR_SYMLINK_OUTSIDE', 'items/deep/route.ts')
    })

    test('symlinks: a cycle fails start-up, found by real path (issue 10 #5)', async () => {
      await startFails(host, linkedFolder({ loop: '.' }), 'RH_ERR_DIR_SYMLINK_CYCLE', 'loop')
      await startFails(host, linkedFolder({ 'items/back': '..' }), 'RH_ERR_DIR_SYMLINK_CYCLE', 'items/back')
      // Two links that only cycle together: a/to-b -> b, b/to-a -> a.
      await startFails(host, linkedFolder({ 'a/to-b': '../b', 'b/to-a': '../a' }), 'RH_ERR_DIR_SYMLINK_CYCLE', 'to-')
    })
  })
}

test('symlinks: routes list the link paths; the real file is imported once, also under --preserve-symlinks (issue 10 #5)', () => {
  const routes = createRouteHandlers({ dir: served, logger: quietLogger }).routes
  assert.deepEqual(
    routes.map((route) => [route.pattern, route.file.slice(served.length)]),
    [
      ['/alias', '/alias/route.ts'],
      ['/chain', '/chain/route.ts'],
      ['/items', '/items/route.ts'],
      ['/nested', '/nested/route.ts'],
    ],
  )
  const index = JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)
  const program = `
    const { createRouteHandlers } = await import(${index})
    const routes = await createRouteHandlers({ dir: ${JSON.stringify(served)} }).ready()
    const answers = []
    for (const path of ['/items', '/alias', '/nested']) answers.push(await (await routes.handle(new Request('http://localhost' + path))).json())
    console.log(JSON.stringify(answers.map((answer) => answer.evaluations)))
  `
  const evaluations = execFileSync(process.execPath, ['--preserve-symlinks', '--input-type=module', '-e', program], { encoding: 'utf8' })
  assert.deepEqual(JSON.parse(evaluations), [1, 1, 1])
})
