/**
 * Issue 10 #5: a symlinked route.ts was ignored, and symlinked folders were followed out of the
 * route folder and round cycles (`loop -> .` gave 41 URLs for one file; `loop -> ..` wandered into
 * /etc). Links are now followed inside the route folder only: linked route files and folders serve
 * at the link's path, one module however many links reach it; a link outside or round a cycle
 * is not followed, and a start-up warning names it, on every host.
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
import { createRouteHandlers } from '../lib/index.ts'
import { expressTarget, fastifyListening, fastifyTarget, listen, quietLogger, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// Counts its own evaluations (per file: each test folder has its own): a route file reached
// through links must be one module.
const COUNTED = `
const counter = ((globalThis as { __linkedRouteEvaluations?: Record<string, number> }).__linkedRouteEvaluations ??= {})
counter[import.meta.url] = (counter[import.meta.url] ?? 0) + 1
export function GET(request: Request) {
  return Response.json({ path: new URL(request.url).pathname, evaluations: counter[import.meta.url] })
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

/**
 * Starts the host on `dir` with a recording logger: it serves `/items` (so the links did not stop
 * it), and warned once about each link in `links` (not followed) and about nothing else.
 */
async function skipsLinks(host: string, dir: string, links: string[]): Promise<void> {
  const warnings: string[] = []
  const logger = { warn: (message: string) => void warnings.push(message), error() {} }
  const target = host === 'Express'
    ? await listen(express().use(await routeHandlers({ dir, logger }).ready()))
    : await fastifyHost(dir, logger)
  try {
    assert.equal((await target.send('/items')).status, 200)
    const named = warnings.filter((warning) => /symlink/.test(warning))
    assert.equal(named.length, links.length, named.join('\n'))
    for (const link of links) assert.ok(named.some((warning) => warning.includes(`"${link}`)), `a warning names "${link}": ${named.join('\n')}`)
  } finally {
    await target.close()
  }
}

async function fastifyHost(dir: string, logger: { warn(message: string): void; error(): void }): Promise<Target> {
  const app = Fastify()
  await app.register(routeHandlersPlugin, { dir, logger })
  return fastifyListening(app)
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

    test('symlinks: a link out of the route folder is not followed, and named in a warning (issue 10 #5)', async () => {
      await skipsLinks(host, linkedFolder({ up: '..' }), ['up'])
      await skipsLinks(host, linkedFolder({ ext: '../outside/x' }), ['ext'])
      await skipsLinks(host, linkedFolder({ 'items/deep/route.ts': '../../../outside/route.ts' }), ['items/deep/route.ts'])
    })

    test('symlinks: a cycle is not followed, found by real path, and named in a warning (issue 10 #5)', async () => {
      await skipsLinks(host, linkedFolder({ loop: '.' }), ['loop'])
      await skipsLinks(host, linkedFolder({ 'items/back': '..' }), ['items/back'])
      // Two links that only cycle together: a/to-b -> b, b/to-a -> a; one is reached first and followed.
      await skipsLinks(host, linkedFolder({ 'a/to-b': '../b', 'b/to-a': '../a' }), ['a/to-b/to-a', 'b/to-a/to-b'])
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
