import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { createRouteHandlers, isRouteHandlersError } from '../lib/index.ts'
import { TransformCache, transformCacheDir } from '../lib/load/transform-cache.ts'
import { yarnPnpMissesWorker } from '../lib/load/transform.ts'
import { quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const DAY = 24 * 60 * 60 * 1000

function emptyFolder(): string {
  return mkdtempSync(join(tmpdir(), 'route-handlers-cache-test-'))
}

function aged(path: string, days: number): void {
  const time = (Date.now() - days * DAY) / 1000
  utimesSync(path, time, time)
}

function typeScriptRoutes(count: number, extra: Record<string, string> = {}): string {
  const files: Record<string, string> = { ...extra }
  for (let index = 0; index < count; index++) {
    files[`r${index}/route.ts`] = `const n: number = ${index}\nexport const GET = (): Response => new Response(String(n))\n`
  }
  return tempRouteFolder(files)
}

describe('the transform cache (issue 13)', () => {
  test('transformCacheDir: every TypeScript route file is compiled into it by the time ready() resolves', async () => {
    const cacheDir = join(emptyFolder(), 'compiled')
    const dir = typeScriptRoutes(20)
    const routes = await createRouteHandlers({ dir, transformCacheDir: cacheDir, logger: quietLogger }).ready()
    assert.equal(readdirSync(cacheDir).filter((name) => name.endsWith('.js')).length, 20)
    assert.equal(await (await routes.handle(new Request('http://localhost/r7')))!.text(), '7')
  })

  test('a route file that does not compile is reported by its import, as on a warm cache; the others serve', async () => {
    const errors: string[] = []
    const dir = typeScriptRoutes(5, { 'broken/route.ts': 'export const GET = (: Response => 1\n' })
    const routes = createRouteHandlers({ dir, transformCacheDir: emptyFolder(), logger: { warn() {}, error: (message) => errors.push(message) } })
    await assert.rejects(routes.ready(), (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_ROUTES_LOAD')
    assert.equal(errors.length, 1)
    assert.match(errors[0]!, /broken\/route\.ts/)
    assert.equal((await routes.handle(new Request('http://localhost/r3')))!.status, 200)
  })

  test('a cache folder that cannot be made costs only the compiling: every route loads, and start-up says the folder cannot be written', async () => {
    const blocker = join(emptyFolder(), 'a-file')
    writeFileSync(blocker, '')
    const warnings: string[] = []
    const routes = await createRouteHandlers({ dir: typeScriptRoutes(3), transformCacheDir: join(blocker, 'cache'), logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
    assert.equal(await (await routes.handle(new Request('http://localhost/r2')))!.text(), '2')
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /the transformCacheDir "[^"]*a-file\/cache" cannot be written/)
  })

  test('no default place can be written, the temp folder included (a read-only root file system): start-up goes on, keeping nothing (trial)', async () => {
    // A file where the temp folder should be, and node_modules/.cache: nothing can be made in either.
    const blockedTemp = join(emptyFolder(), 'not-a-folder')
    writeFileSync(blockedTemp, '')
    const project = tempRouteFolder({ 'package.json': '{}', 'node_modules/.cache': 'not a folder', 'app/js/route.js': "export const GET = () => new Response('js')\n" })
    writeFileSync(join(project, 'app/route.ts'), "const n: number = 1\nexport const GET = (): Response => new Response(String(n))\n")
    const saved = process.env.TMPDIR
    process.env.TMPDIR = blockedTemp
    try {
      const cache = transformCacheDir(join(project, 'app'))
      assert.ok(cache.startsWith(join(blockedTemp, 'route-handlers-cache-')), cache)
      assert.equal(existsSync(cache), false)
      const routes = await createRouteHandlers({ dir: join(project, 'app'), logger: quietLogger }).ready()
      assert.equal(await (await routes.handle(new Request('http://localhost/')))!.text(), '1')
      assert.equal(await (await routes.handle(new Request('http://localhost/js')))!.text(), 'js')
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
  })

  test('ROUTE_HANDLERS_CACHE_DIR that cannot be written is said at start-up, as the option is', async () => {
    const blocker = join(emptyFolder(), 'a-file')
    writeFileSync(blocker, '')
    const warnings: string[] = []
    const previous = process.env.ROUTE_HANDLERS_CACHE_DIR
    process.env.ROUTE_HANDLERS_CACHE_DIR = join(blocker, 'cache')
    try {
      const routes = await createRouteHandlers({ dir: typeScriptRoutes(2), logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
      assert.equal(await (await routes.handle(new Request('http://localhost/r1')))!.text(), '1')
    } finally {
      if (previous === undefined) delete process.env.ROUTE_HANDLERS_CACHE_DIR
      else process.env.ROUTE_HANDLERS_CACHE_DIR = previous
    }
    assert.equal(warnings.length, 1, warnings.join('\n'))
    assert.match(warnings[0]!, /ROUTE_HANDLERS_CACHE_DIR "[^"]*a-file\/cache" cannot be written/)
  })

  // A trial: a cache filled when the image was built, run by another user or on a read-only root
  // filesystem, was a miss for every entry over a day old (refreshing its age failed), so every
  // start compiled everything again. A read-only bind mount stands in for it (root on Linux only).
  test('an entry over a day old in a cache that cannot be written is still a hit', (context) => {
    const dir = emptyFolder()
    const cache = new TransformCache(dir)
    cache.set('entry', 'export const compiled = true\n')
    aged(join(dir, 'entry.js'), 3)
    const mounted = spawnSync('mount', ['--bind', '-o', 'ro', dir, dir], { encoding: 'utf8' })
    if (mounted.status !== 0) return context.skip(`no read-only bind mount here: ${mounted.stderr.trim() || 'not root'}`)
    try {
      assert.equal(new TransformCache(dir).get('entry'), 'export const compiled = true\n')
    } finally {
      spawnSync('umount', [dir])
    }
  })

  test("the default place: the project's node_modules/.cache (a workspace's, for an app without its own) when it can be made or holds entries, else the temp folder (a read-only install)", () => {
    const project = tempRouteFolder({ 'package.json': '{}', 'node_modules/x/package.json': '{}', 'app/route.ts': '' })
    assert.equal(transformCacheDir(join(project, 'app')), join(project, 'node_modules/.cache/route-handlers'))
    // A trial's npm workspace: the install is hoisted, the app's own package has no node_modules.
    const workspace = tempRouteFolder({ 'package.json': '{"workspaces":["apps/*"]}', 'node_modules/x/package.json': '{}', 'apps/web/package.json': '{}', 'apps/web/app/route.ts': '' })
    assert.equal(transformCacheDir(join(workspace, 'apps/web/app')), join(workspace, 'node_modules/.cache/route-handlers'))
    // Review: never an unrelated folder's above the project (a Yarn PnP project, no node_modules, in a home that has one).
    const home = tempRouteFolder({ 'package.json': '{}', 'node_modules/x/package.json': '{}', 'proj/package.json': '{}', 'proj/app/route.ts': '' })
    assert.ok(transformCacheDir(join(home, 'proj/app')).startsWith(join(tmpdir(), 'route-handlers-cache-')))
    // node_modules/.cache cannot be made (here a file stands in its way; in a container, a folder
    // its user cannot write).
    const readOnly = tempRouteFolder({ 'package.json': '{}', 'node_modules/.cache': 'not a folder', 'app/route.ts': '' })
    const temp = transformCacheDir(join(readOnly, 'app'))
    assert.ok(temp.startsWith(join(tmpdir(), 'route-handlers-cache-')), temp)
    // The user's own, and no one else may write it (anyone can make a folder in /tmp first).
    const info = statSync(temp)
    assert.equal(info.uid, process.getuid!())
    assert.equal(info.mode & 0o022, 0)
  })

  test('transformCacheDir must be a folder path', () => {
    assert.throws(
      () => createRouteHandlers({ dir: typeScriptRoutes(1), transformCacheDir: '' }),
      (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_OPTIONS_INVALID',
    )
  })

  test('the sweep removes entries unused for a week and half-written files, keeps the rest, and runs once a day', async () => {
    const dir = emptyFolder()
    const cache = new TransformCache(dir)
    for (const key of ['fresh', 'old', 'oldButRead']) cache.set(key, `// ${key}`)
    writeFileSync(join(dir, 'crashed.123.partial'), '// half')
    aged(join(dir, 'old.js'), 8)
    aged(join(dir, 'oldButRead.js'), 8)
    aged(join(dir, 'crashed.123.partial'), 2)
    // A read keeps an entry young: the start that uses it is not the one to lose it.
    assert.equal(cache.get('oldButRead'), '// oldButRead')
    await cache.sweep()
    assert.deepEqual(readdirSync(dir).sort(), ['.swept', 'fresh.js', 'oldButRead.js'])

    // Swept less than a day ago: the next start does not list the folder again.
    cache.set('stale', '// stale')
    aged(join(dir, 'stale.js'), 30)
    await cache.sweep()
    assert.ok(existsSync(join(dir, 'stale.js')))
    aged(join(dir, '.swept'), 2)
    await cache.sweep()
    assert.ok(!existsSync(join(dir, 'stale.js')))
  })

  test('a read refreshes an entry at most once a day (no write per start)', () => {
    const dir = emptyFolder()
    mkdirSync(dir, { recursive: true })
    const cache = new TransformCache(dir)
    cache.set('entry', '// entry')
    aged(join(dir, 'entry.js'), 0.5)
    const before = statSync(join(dir, 'entry.js')).mtimeMs
    cache.get('entry')
    assert.equal(statSync(join(dir, 'entry.js')).mtimeMs, before)
  })
})

// Trial (Yarn 4 Plug'n'Play by command-line flags, Node 24, a cold cache): esbuild's synchronous
// compile waited forever for its worker thread, which starts without those flags and cannot find
// esbuild's binary. Checked here as a rule: a Yarn install is not made in the test suite.
test("esbuild compiles without its worker where Yarn's PnP runtime would not reach it", () => {
  const pnp = { ...process.versions, pnp: '3' }
  assert.equal(yarnPnpMissesWorker(pnp, undefined), true)
  assert.equal(yarnPnpMissesWorker(pnp, '--max-old-space-size=4096'), true)
  // `yarn node` and Yarn's scripts: through NODE_OPTIONS, which worker threads inherit.
  assert.equal(yarnPnpMissesWorker(pnp, '--require /srv/app/.pnp.cjs --experimental-loader /srv/app/.pnp.loader.mjs'), false)
  assert.equal(yarnPnpMissesWorker(process.versions, undefined), false)
})
