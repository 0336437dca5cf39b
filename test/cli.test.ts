/**
 * `npx route-handlers routes [dir]`, run as users run it: the built executable (dist/lib/cli/bin.js,
 * package.json's `bin`) in a child process. Needs `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createRouteHandlers } from '../lib/index.ts'
import { quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> }
const bin = fileURLToPath(new URL(`../${packageJson.bin['route-handlers']}`, import.meta.url))

function cli(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  // NODE_ENV as a shell leaves it: unset, so the CLI's own default applies.
  const env = { ...process.env }
  delete env.NODE_ENV
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env })
}

interface ListedRoute {
  pattern: string
  methods: string[]
  file: string
}

describe('route-handlers routes', () => {
  test('routes --json lists every route of the example app with its methods, as ready() knows them (issue 11)', async () => {
    const result = cli(['routes', 'examples/express-legacy/app', '--json'])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stderr, '')
    const listed = JSON.parse(result.stdout) as ListedRoute[]
    const routes = await createRouteHandlers({ dir: 'examples/express-legacy/app', logger: quietLogger }).ready()
    assert.equal(listed.length, routes.routes.length)
    for (const route of routes.routes) {
      const entry = listed.find((item) => item.pattern === route.pattern)
      assert.ok(entry, `${route.pattern} is listed`)
      assert.deepEqual(entry.methods, route.methods)
      assert.ok(entry.methods.length > 0, `${route.pattern} has methods`)
      assert.equal(`${root}examples/express-legacy/app/${entry.file}`, route.file)
    }
    assert.deepEqual(listed.find((item) => item.pattern === '/items'), { pattern: '/items', methods: ['GET', 'POST'], file: 'items/route.ts' })
    assert.deepEqual(listed.map((item) => item.pattern), listed.map((item) => item.pattern).sort())
  })

  test('routes --prefix prints each pattern under the mount path (trial: nested mounts); a prefix that is not a path is a usage error', () => {
    const dir = tempRouteFolder({ 'route.ts': 'export const GET = () => new Response()\n', 'items/[id]/route.ts': 'export const GET = () => new Response()\n' })
    const result = cli(['routes', dir, '--json', '--prefix', '/api/v1/orders/'])
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual((JSON.parse(result.stdout) as ListedRoute[]).map((route) => route.pattern), ['/api/v1/orders', '/api/v1/orders/items/[id]'])
    const refused = cli(['routes', dir, '--prefix', 'api'])
    assert.equal(refused.status, 1)
    assert.match(refused.stderr, /--prefix must start with "\/" \(got "api"\)/)
  })

  test('routes prints a table: pattern, methods, file, a folder before its children', () => {
    const dir = tempRouteFolder({
      'items/route.ts': 'export const GET = () => new Response()\nexport const POST = () => new Response()\n',
      'items/[slug]/route.ts': 'export const GET = () => new Response()\n',
      'docs/[[...path]]/route.js': 'export function GET() { return new Response() }\n',
    })
    const result = cli(['routes', dir])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(
      result.stdout,
      [
        'PATTERN            METHODS    FILE',
        '/docs/[[...path]]  GET        docs/[[...path]]/route.js',
        '/items             GET, POST  items/route.ts',
        '/items/[slug]      GET        items/[slug]/route.ts',
        '',
      ].join('\n'),
    )
  })

  test('routes defaults to ./app, then ./src/app', () => {
    const project = tempRouteFolder({ 'src/app/hello/route.ts': 'export const GET = () => new Response()\n' })
    const result = cli(['routes', '--json'], project)
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), [{ pattern: '/hello', methods: ['GET'], file: 'hello/route.ts' }])
  })

  test('an unknown folder exits 1 with a message naming it, and prints no listing', () => {
    const result = cli(['routes', 'no/such/app', '--json'])
    assert.equal(result.status, 1)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /no\/such\/app/)
  })

  test('route files that fail to load exit 1, each broken file listed with its line', () => {
    const dir = tempRouteFolder({
      'good/route.ts': 'export const GET = () => new Response()\n',
      'broken/route.ts': 'export const GET = () => new Response(\n',
      'throws/route.js': "throw new Error('no database')\n",
    })
    const result = cli(['routes', dir])
    assert.equal(result.status, 1)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /broken\/route\.ts:\d+:\d+/)
    assert.match(result.stderr, /throws\/route\.js/)
    assert.doesNotMatch(result.stderr, /good\/route\.ts/)
  })

  test('a layout error exits 1 with its message', () => {
    const dir = tempRouteFolder({
      '(a)/x/route.ts': 'export const GET = () => new Response()\n',
      '(b)/x/route.ts': 'export const GET = () => new Response()\n',
    })
    const result = cli(['routes', dir])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /\(a\)\/x\/route\.ts/)
    assert.match(result.stderr, /\(b\)\/x\/route\.ts/)
  })

  test('lookalike files, lowercase exports and an empty folder are warned about on stderr (issue 11)', () => {
    const dir = tempRouteFolder({
      'users/index.ts': 'export const GET = () => new Response()\n',
      'orders/routes.ts': 'export const GET = () => new Response()\n',
      'feed/route.txt': 'GET',
      'lower/route.ts': 'export const get = () => new Response()\n',
    })
    const result = cli(['routes', dir, '--json'])
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), [{ pattern: '/lower', methods: [], file: 'lower/route.ts' }])
    for (const file of ['users/index.ts', 'orders/routes.ts', 'feed/route.txt', 'lower/route.ts']) assert.ok(result.stderr.includes(`"${file}"`), file)

    const empty = cli(['routes', tempRouteFolder({ 'README.md': '' }), '--json'])
    assert.equal(empty.status, 0)
    assert.deepEqual(JSON.parse(empty.stdout), [])
    assert.match(empty.stderr, /no route files/)
  })

  test('exits once the listing is out, even when a route file holds the event loop open', () => {
    const dir = tempRouteFolder({ 'pool/route.js': 'setInterval(() => {}, 1000)\nexport const GET = () => new Response()\n' })
    const result = cli(['routes', dir, '--json'])
    assert.equal(result.status, 0, result.stderr)
    assert.equal((JSON.parse(result.stdout) as ListedRoute[]).length, 1)
  })

  test('usage: no command or an unknown one exits 1 with the usage; --help exits 0', () => {
    for (const args of [[], ['frobnicate'], ['routes', '--nope']]) {
      const result = cli(args)
      assert.equal(result.status, 1, args.join(' '))
      assert.match(result.stdout + result.stderr, /Usage: route-handlers/)
    }
    const help = cli(['--help'])
    assert.equal(help.status, 0)
    assert.match(help.stdout, /Usage: route-handlers/)
  })
})
