import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { createRouteHandlers, isRouteHandlersError, type RouteHandlersErrorCode } from '../lib/index.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const GET = 'export const GET = () => new Response("ok")\n'

function throwsCode(create: () => unknown, code: RouteHandlersErrorCode, mentions: string[] = []): void {
  assert.throws(create, (error: unknown) => {
    assert.ok(isRouteHandlersError(error), `expected a RouteHandlersError, got ${String(error)}`)
    assert.equal(error.code, code)
    for (const text of mentions) assert.ok(error.message.includes(text), `message should name "${text}": ${error.message}`)
    return true
  })
}

function layout(files: string[]): string {
  return tempRouteFolder(Object.fromEntries(files.map((file) => [file, GET])))
}

describe('start-up errors are thrown by createRouteHandlers(), naming the files', () => {
  test('RH_ERR_OPTIONS_INVALID: no dir, or a basePath without a leading slash', () => {
    throwsCode(() => createRouteHandlers({ dir: '' }), 'RH_ERR_OPTIONS_INVALID')
    throwsCode(() => createRouteHandlers({ dir: layout(['route.ts']), basePath: 'api' }), 'RH_ERR_OPTIONS_INVALID')
  })

  test('RH_ERR_DIR_NOT_FOUND', () => {
    throwsCode(() => createRouteHandlers({ dir: '/does/not/exist' }), 'RH_ERR_DIR_NOT_FOUND', ['/does/not/exist'])
    // Trial: a relative dir, the server started from another folder; the message said only "Pass { dir }".
    throwsCode(() => createRouteHandlers({ dir: 'not-here/app' }), 'RH_ERR_DIR_NOT_FOUND', [join(process.cwd(), 'not-here/app'), `working directory (${process.cwd()})`, "new URL('./app', import.meta.url)"])
  })

  for (const folder of ['@modal', '(.)photo', '(..)(..)photo', '[[id]]']) {
    test(`RH_ERR_SEGMENT_UNSUPPORTED: ${folder}`, () => {
      throwsCode(() => createRouteHandlers({ dir: layout([`${folder}/route.ts`]) }), 'RH_ERR_SEGMENT_UNSUPPORTED', [folder])
    })
  }

  test('a slot folder without route files is ignored', () => {
    const dir = tempRouteFolder({ '@modal/page.tsx': 'export default function Page() {}', 'route.ts': GET })
    assert.equal(createRouteHandlers({ dir }).routes.length, 1)
  })

  test('RH_ERR_ROUTE_DUPLICATE: two groups resolve to one URL', () => {
    throwsCode(() => createRouteHandlers({ dir: layout(['(a)/x/route.ts', '(b)/x/route.ts']) }), 'RH_ERR_ROUTE_DUPLICATE', [
      '(a)/x/route.ts',
      '(b)/x/route.ts',
    ])
  })

  test('RH_ERR_ROUTE_DUPLICATE: route.ts beside route.js, compiled in place by tsc, says to point dir at one kind or set outDir (issue 11)', () => {
    throwsCode(() => createRouteHandlers({ dir: layout(['x/route.js', 'x/route.ts']) }), 'RH_ERR_ROUTE_DUPLICATE', [
      'x/route.js',
      'x/route.ts',
      'outDir',
      'point `dir`',
    ])
    throwsCode(() => createRouteHandlers({ dir: layout(['route.js', 'route.ts']) }), 'RH_ERR_ROUTE_DUPLICATE', ['outDir'])
    throwsCode(() => createRouteHandlers({ dir: layout(['[...all]/route.js', '[...all]/route.ts']) }), 'RH_ERR_ROUTE_DUPLICATE', ['outDir'])
    // Two folders that resolve to one URL keep the route-group hint.
    assert.throws(() => createRouteHandlers({ dir: layout(['(a)/x/route.ts', '(b)/x/route.js']) }), (error: Error) => !error.message.includes('outDir'))
  })

  test('RH_ERR_ROUTE_PARAM_MISMATCH: [id] beside [slug]', () => {
    throwsCode(() => createRouteHandlers({ dir: layout(['[id]/route.ts', '[slug]/edit/route.ts']) }), 'RH_ERR_ROUTE_PARAM_MISMATCH', [
      '[id]/route.ts',
      '[slug]/edit/route.ts',
    ])
  })

  test('RH_ERR_ROUTE_PARAM_REPEATED: one name twice in a path', () => {
    throwsCode(() => createRouteHandlers({ dir: layout(['[id]/x/[id]/route.ts']) }), 'RH_ERR_ROUTE_PARAM_REPEATED', ['[id]/x/[id]/route.ts'])
  })

  test('RH_ERR_ROUTE_CATCH_ALL_CONFLICT: [...a] beside [[...b]]', () => {
    throwsCode(() => createRouteHandlers({ dir: layout(['[...a]/route.ts', '[[...b]]/route.ts']) }), 'RH_ERR_ROUTE_CATCH_ALL_CONFLICT', [
      '[...a]/route.ts',
      '[[...b]]/route.ts',
      // Trial: the advice was to make the catch-all required, which one already was.
      'Keep one of them',
    ])
  })

  test('RH_ERR_ROUTE_CATCH_ALL_CONFLICT: shop/route.ts beside shop/[[...x]]/route.ts', () => {
    throwsCode(
      () => createRouteHandlers({ dir: layout(['shop/route.ts', 'shop/[[...x]]/route.ts']) }),
      'RH_ERR_ROUTE_CATCH_ALL_CONFLICT',
      ['shop/route.ts', 'shop/[[...x]]/route.ts', 'make the catch-all required ([...x])'],
    )
  })

  test('RH_ERR_ROUTE_CATCH_ALL_NOT_LAST', () => {
    throwsCode(() => createRouteHandlers({ dir: layout(['[...a]/b/route.ts']) }), 'RH_ERR_ROUTE_CATCH_ALL_NOT_LAST', ['[...a]'])
  })
})

describe('a route file that fails to load stays local and loud', () => {
  const silent = { warn() {}, error() {} }

  test('a syntax error: ready() lists it with file:line:column, the other routes serve, it answers with its load error', async () => {
    const dir = tempRouteFolder({ 'ok/route.ts': GET, 'broken/route.ts': 'export const GET = (\n' })
    const routes = createRouteHandlers({ dir, logger: silent })
    await assert.rejects(routes.ready(), (error: unknown) => {
      assert.ok(isRouteHandlersError(error))
      assert.equal(error.code, 'RH_ERR_ROUTES_LOAD')
      assert.match(error.message, /broken\/route\.ts.*broken\/route\.ts:2:1: /)
      assert.ok(isRouteHandlersError(error.cause))
      assert.equal(error.cause.code, 'RH_ERR_ROUTE_LOAD')
      return true
    })
    assert.equal((await routes.handle(new Request('http://localhost/ok')))?.status, 200)
    await assert.rejects(routes.handle(new Request('http://localhost/broken')), { code: 'RH_ERR_ROUTE_LOAD' })
  })

  test('a syntax error is logged with its line and a caret under the column, without esbuild\'s stack', async () => {
    const logged: Array<[string, unknown]> = []
    const dir = tempRouteFolder({ 'broken/route.ts': "const a = 1\nexport const GET = () => new Response('é' + a }\n" })
    const routes = createRouteHandlers({ dir, logger: { warn() {}, error: (message, error) => logged.push([message, error]) } })
    await assert.rejects(routes.ready())
    assert.equal(logged.length, 1)
    const [message, error] = logged[0]!
    assert.match(message, /broken\/route\.ts:2:47: Expected "\)" but found "\}"\n  2 \| export const GET = \(\) => new Response\('é' \+ a \}\n    \| {47}\^$/)
    assert.equal(error, undefined)
  })

  // Trial: V8 names no place for an ES module that does not parse, so plain JavaScript got only
  // "Unexpected token 'export'", whichever module of the route's imports it was.
  test('a JavaScript syntax error, in the route file or in a module it imports, is logged with its place and line', async () => {
    const logged: Array<[string, unknown]> = []
    const dir = tempRouteFolder({
      'package.json': '{ "type": "module" }\n',
      'lib/x.js': 'export const x = [1, 2\n\nexport const y = 3\n',
      'app/a/route.js': 'export function GET() {\n  return Response.json({ a: 1 )\n}\n',
      'app/b/route.js': "import { x } from '../../lib/x.js'\nexport const GET = () => Response.json(x)\n",
    })
    const routes = createRouteHandlers({ dir: join(dir, 'app'), logger: { warn() {}, error: (message, error) => logged.push([message, error]) } })
    await assert.rejects(routes.ready())
    assert.equal(logged.length, 2)
    assert.match(logged[0]![0], /a\/route\.js:2:31: .*\n  2 \|   return Response\.json\(\{ a: 1 \)\n    \| {31}\^$/)
    assert.match(logged[1]![0], /"b\/route\.js": .*lib\/x\.js:3:1: .*\n  3 \| export const y = 3\n/)
    assert.deepEqual(logged.map(([, error]) => error), [undefined, undefined])
  })

  // Trial: the log of a missing import followed its message with ~20 lines of the resolver's and the loader thread's frames.
  test('an import that does not resolve is logged with the module and its importer, without the resolver\'s stack', async () => {
    const logged: Array<[string, unknown]> = []
    const dir = tempRouteFolder({ 'x/route.ts': "import { y } from '../lib/nothere'\nexport const GET = () => Response.json({ y })\n" })
    const routes = createRouteHandlers({ dir, logger: { warn() {}, error: (message, error) => logged.push([message, error]) } })
    await assert.rejects(routes.ready())
    assert.equal(logged.length, 1)
    assert.match(logged[0]![0], /"x\/route\.ts": Cannot find module '[^']*lib\/nothere' imported from [^ ]*x\/route\.ts/)
    assert.equal(logged[0]![1], undefined)
  })

  // Trial: a JavaScript project without a tsconfig got only Node's "Cannot find package '@/lib'".
  test('an @/ import no tsconfig maps says it looks like a paths alias, and what to add', async () => {
    const logged: string[] = []
    const dir = tempRouteFolder({ 'x/route.ts': "import { db } from '@/lib/db'\nexport const GET = () => Response.json({ db })\n" })
    const routes = createRouteHandlers({ dir, tsconfig: false, logger: { warn() {}, error: (message) => logged.push(message) } })
    await assert.rejects(routes.ready())
    assert.match(logged[0]!, /Cannot find package '@\/lib'[^]*"@\/…" looks like a tsconfig `paths` alias[^]*"paths": \{ "@\/\*": \["\.\/\*"\] \}/)
  })

  // Trial (formbricks: its v2 routes re-export v1's): on Node 20 the second file said only
  // "request for '@/lib/log' is not in cache", naming a module that is fine.
  test('a route file importing a broken route file names the real cause, on every Node line', async () => {
    const logged: string[] = []
    const dir = tempRouteFolder({
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./*'] } } }),
      'lib/log.ts': 'export const log = (message: string) => message\n',
      'lib/mailer.mjs': 'export const a = 1\n',
      'lib/email.ts': "import { a, missingX } from './mailer.mjs'\nexport const send = () => [a, missingX]\n",
      'v1/x/route.ts': "import { log } from '@/lib/log'\nimport { send } from '@/lib/email'\nexport const GET = () => Response.json({ log: log('x'), send: typeof send })\n",
      'v2/x/route.ts': "import { GET } from '@/v1/x/route'\nexport { GET }\n",
    })
    const routes = createRouteHandlers({ dir, logger: { warn() {}, error: (message) => logged.push(message) } })
    await assert.rejects(routes.ready())
    assert.equal(logged.length, 2, logged.join('\n'))
    const [v1, v2] = [logged.find((message) => message.includes('"v1/x/route.ts"'))!, logged.find((message) => message.includes('"v2/x/route.ts"'))!]
    assert.match(v1, /does not provide an export named 'missingX'/)
    assert.match(v2, /does not provide an export named 'missingX'/)
  })

  test('every broken file is reported at start-up through the logger, not only the first', async () => {
    const logged: string[] = []
    const dir = tempRouteFolder({
      'a/route.js': "import { x } from './missing.js'\nexport const GET = () => new Response(x)\n",
      'b/route.ts': "const answer: number = 42\nthrow new Error('no database')\nexport const GET = () => new Response(String(answer))\n",
      'c/route.ts': GET,
    })
    const routes = createRouteHandlers({ dir, logger: { warn() {}, error: (message) => logged.push(message) } })
    await assert.rejects(routes.ready(), (error: unknown) => {
      assert.ok(isRouteHandlersError(error))
      assert.ok(error.cause instanceof AggregateError)
      assert.equal(error.cause.errors.length, 2)
      return true
    })
    assert.equal(logged.length, 2)
    assert.match(logged[0]!, /a\/route\.js.*missing\.js/)
    assert.match(logged[1]!, /b\/route\.ts.*b\/route\.ts:\d+:\d+: no database/)
    assert.equal((await routes.handle(new Request('http://localhost/c')))?.status, 200)
  })
})
