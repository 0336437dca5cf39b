/**
 * How route files and the modules they reach are loaded: the tsconfig in force, CommonJS route
 * files and the TypeScript they require, and one instance of every module whoever loads it.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { createRouteHandlers } from '../lib/index.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const quiet = { warn() {}, error() {} }

async function getJson(dir: string, path: string, options: { tsconfig?: string | false } = {}): Promise<unknown> {
  const routes = await createRouteHandlers({ dir, logger: quiet, ...options }).ready()
  const response = await routes.handle(new Request(`http://localhost${path}`))
  assert.equal(response?.status, 200)
  return response.json()
}

describe('the tsconfig in force', () => {
  const project = (tsconfigPath: string, paths: Record<string, string[]>) =>
    tempRouteFolder({
      [tsconfigPath]: JSON.stringify({ compilerOptions: { paths } }),
      'src/util.ts': "export const where = 'src/util.ts'\n",
      'app/where/route.ts': "import { where } from '~/util'\nexport const GET = () => Response.json({ where })\n",
    })

  test('the nearest tsconfig.json up from dir gives the paths', async () => {
    const root = project('tsconfig.json', { '~/*': ['./src/*'] })
    assert.deepEqual(await getJson(join(root, 'app'), '/where'), { where: 'src/util.ts' })
  })

  test('the tsconfig option names another file; its paths are relative to it', async () => {
    const root = project('config/tsconfig.app.json', { '~/*': ['../src/*'] })
    assert.deepEqual(await getJson(join(root, 'app'), '/where', { tsconfig: join(root, 'config/tsconfig.app.json') }), { where: 'src/util.ts' })
  })

  test('a tsconfig option naming a file that cannot be read throws RH_ERR_TSCONFIG_INVALID from createRouteHandlers()', () => {
    const root = tempRouteFolder({ 'app/x/route.ts': 'export const GET = () => new Response()\n' })
    assert.throws(() => createRouteHandlers({ dir: join(root, 'app'), logger: quiet, tsconfig: join(root, 'missing.json') }), {
      code: 'RH_ERR_TSCONFIG_INVALID',
    })
  })

  test('tsconfig: false uses none: the alias is left to Node, which reports it', async () => {
    const root = project('tsconfig.json', { '~/*': ['./src/*'] })
    await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: quiet, tsconfig: false }).ready(), /Cannot find package '~'/)
  })
})

describe('CommonJS in the route graph', () => {
  test('a .cts route file, and a .cjs route requiring a TypeScript helper and next/server', async () => {
    const root = tempRouteFolder({
      'lib/greeting.ts': "export const greeting: string = 'hello from TypeScript'\n",
      'app/cts/route.cts': "import { NextResponse } from 'next/server'\nexport function GET() { return NextResponse.json({ flavour: 'cts' as string }) }\n",
      'app/cjs/route.cjs':
        "const { NextResponse } = require('next/server')\nconst { greeting } = require('../../lib/greeting')\nexports.GET = () => NextResponse.json({ greeting })\n",
    })
    assert.deepEqual(await getJson(join(root, 'app'), '/cts'), { flavour: 'cts' })
    assert.deepEqual(await getJson(join(root, 'app'), '/cjs'), { greeting: 'hello from TypeScript' })
  })

  test('a module the host required first is the one a TypeScript route imports', async () => {
    const root = tempRouteFolder({
      'lib/store.cjs': 'exports.store = { instance: Symbol("store"), visits: 0 }\n',
      'app/visits/route.ts': "import { store } from '../../lib/store.cjs'\nexport function GET() { store.visits++; return Response.json({ visits: store.visits }) }\n",
    })
    const { store } = createRequire(import.meta.url)(join(root, 'lib/store.cjs')) as { store: { visits: number } }
    store.visits = 41
    assert.deepEqual(await getJson(join(root, 'app'), '/visits'), { visits: 42 })
    assert.equal(store.visits, 42)
  })
})

test('stack traces from a TypeScript route name the lines the user wrote', async () => {
  const dir = tempRouteFolder({
    'boom/route.ts': [
      'interface Row {',
      '  id: number',
      '}',
      '',
      'type Rows = Row[]',
      '',
      'export function GET(): Response {',
      '  const rows: Rows = [{ id: 1 }]',
      "  throw new Error('boom ' + rows.length)",
      '}',
    ].join('\n'),
  })
  const routes = await createRouteHandlers({ dir, logger: quiet }).ready()
  await assert.rejects(routes.handle(new Request('http://localhost/boom')), (error: Error) => {
    assert.match(error.stack!, /boom\/route\.ts:9:9\b/)
    return true
  })
})
