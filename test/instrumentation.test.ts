/**
 * The `instrumentation` option: the app's Next.js instrumentation file, loaded as route files are.
 * Its `register()` runs before any route file loads, with `NEXT_RUNTIME` set as Next.js sets it,
 * and its `onRequestError` hears of every 5xx with Next's arguments before the host answers.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AddressInfo } from 'node:net'
import { createRouteHandlers, isRouteHandlersError, serve, type Logger } from '../lib/index.ts'
import { existingProcessGlobal } from '../lib/process-global.ts'
import { EVERY_HOST, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// A project as a Next.js app has it: the instrumentation file at its root, `@/` imports, a module
// the file and the routes share. One for each host: the modules of one are one instance per process.
const project = (): string => tempRouteFolder({
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } }),
  'lib/state.ts': [
    'export const state = { registered: false, routesLoadedBeforeRegister: false, failRegeneration: false }',
    'export const reports: unknown[] = []',
    '',
  ].join('\n'),
  'instrumentation.ts': [
    "import { reports, state } from '@/lib/state'",
    'export async function register() {',
    "  if (process.env.NEXT_RUNTIME === 'nodejs') {",
    '    await new Promise((resolve) => setTimeout(resolve, 20))',
    '    state.registered = true',
    '  }',
    '}',
    'export async function onRequestError(error: unknown, request: { path: string; method: string; headers: Record<string, unknown> }, context: unknown) {',
    '  const message = error instanceof Error ? error.message : String(error)',
    "  if (message.includes('hook throws')) throw new Error('the hook itself failed')",
    "  reports.push({ message, path: request.path, method: request.method, traceId: request.headers['x-trace-id'], context })",
    '}',
    '',
  ].join('\n'),
  'app/state/route.ts': [
    "import { reports, state } from '@/lib/state'",
    // Its top level runs when the file loads: register() has finished by then.
    'state.routesLoadedBeforeRegister = !state.registered',
    'export const GET = () => Response.json({ state, reports })',
    'export async function POST(request: Request) {',
    '  Object.assign(state, await request.json())',
    '  reports.length = 0',
    '  return new Response(null, { status: 204 })',
    '}',
    '',
  ].join('\n'),
  'app/(shop)/boom/[id]/route.ts': [
    'export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {',
    '  throw new Error(`boom ${(await params).id}`)',
    '}',
    "export function DELETE() { throw new Error('hook throws') }",
    '',
  ].join('\n'),
  'app/echo/route.ts': 'export async function POST(request: Request) { return Response.json(await request.json()) }\n',
  'app/cached/route.ts': [
    "import { state } from '@/lib/state'",
    'export const revalidate = 1',
    'let calls = 0',
    'export function GET() {',
    "  if (state.failRegeneration) throw new Error('regeneration failed')",
    '  return Response.json({ calls: ++calls })',
    '}',
    '',
  ].join('\n'),
})

interface Report {
  message: string
  path: string
  method: string
  traceId?: string
  context: Record<string, unknown>
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = []
  return { errors, warn() {}, error: (message) => void errors.push(message) }
}

for (const [name, start] of EVERY_HOST) {
  describe(`instrumentation file (${name})`, () => {
    const logger = recordingLogger()
    let target: Target
    before(async () => {
      const root = project()
      target = await start('/api', join(root, 'app'), { instrumentation: join(root, 'instrumentation.ts'), logger })
    })
    after(() => target.close())

    const state = async () => (await (await target.send('/state')).json()) as { state: Record<string, boolean>; reports: Report[] }
    const reset = (changes: Record<string, boolean> = {}) =>
      target.send('/state', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(changes) })

    test('register() ran, with NEXT_RUNTIME set, before the route files loaded; one instance of what both import', async () => {
      assert.deepEqual((await state()).state, { registered: true, routesLoadedBeforeRegister: false, failRegeneration: false })
      assert.equal(process.env.NEXT_RUNTIME, 'nodejs')
    })

    test("a handler's exception: onRequestError has been told, with Next's arguments, when the host answers 500", async () => {
      await reset()
      const response = await target.send('/boom/7?x=1', { headers: { 'x-trace-id': 'trace-1' } })
      assert.equal(response.status, 500)
      assert.deepEqual((await state()).reports, [
        {
          message: 'boom 7',
          path: '/api/boom/7?x=1',
          method: 'GET',
          traceId: 'trace-1',
          context: { routerKind: 'App Router', routePath: '/boom/[id]', routeType: 'route' },
        },
      ])
    })

    test('a client error (a malformed body the handler read) is not reported', async () => {
      await reset()
      const response = await target.send('/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken' })
      assert.equal(response.status, 400)
      assert.deepEqual((await state()).reports, [])
    })

    test('a hook that throws is logged and changes nothing of the answer', async () => {
      await reset()
      const response = await target.send('/boom/1', { method: 'DELETE' })
      assert.equal(response.status, 500)
      assert.ok(logger.errors.some((message) => message.includes("instrumentation file's onRequestError threw")), String(logger.errors))
    })

    test("a failed background regeneration is reported with revalidateReason 'stale'", async () => {
      await reset()
      assert.equal((await target.send('/cached')).status, 200)
      await reset({ failRegeneration: true })
      await sleep(1100)
      assert.equal((await target.send('/cached')).headers.get('x-nextjs-cache'), 'STALE')
      let reports: Report[] = []
      for (let attempt = 0; attempt < 100 && reports.length === 0; attempt++) {
        await sleep(20)
        reports = (await state()).reports
      }
      assert.deepEqual(
        reports.map(({ message, method, context }) => ({ message, method, context })),
        [{ message: 'regeneration failed', method: 'GET', context: { routerKind: 'App Router', routePath: '/cached', routeType: 'route', revalidateReason: 'stale' } }],
      )
    })
  })
}

describe('instrumentation option: failures', () => {
  test('a file that does not exist is refused when the handlers are created', () => {
    const root = project()
    assert.throws(
      () => createRouteHandlers({ dir: join(root, 'app'), instrumentation: join(root, 'missing.ts') }),
      (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_OPTIONS_INVALID' && error.message.includes('missing.ts'),
    )
  })

  test('options that fail the handlers leave register() unrun: its side effects (a migration) wait for a valid start', () => {
    const root = project()
    const file = join(root, 'instrumentation.ts')
    assert.throws(() => createRouteHandlers({ dir: join(root, 'app'), instrumentation: file, cache: { maxBytes: -1 } }), /cache\.maxBytes/)
    assert.equal(existingProcessGlobal<Map<string, unknown>>('instrumentation')?.has(file) ?? false, false)
  })

  test('serve() starts when register() throws, logging it; with failOnLoadError it rejects', async () => {
    const folder = tempRouteFolder({
      'instrumentation.ts': "export function register() { throw new Error('the database is not migrated') }\n",
      'app/ok/route.ts': "export const GET = () => new Response('ok')\n",
    })
    const options = { dir: join(folder, 'app'), instrumentation: join(folder, 'instrumentation.ts'), port: 0, logger: recordingLogger() }
    const server = await serve(options)
    const { port } = server.address() as AddressInfo
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/ok`)).text(), 'ok')
    server.close()
    await assert.rejects(serve({ ...options, failOnLoadError: true }), (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_INSTRUMENTATION')
  })

  test('a register() that throws: ready() rejects with RH_ERR_INSTRUMENTATION, and the routes serve, as under Next.js', async () => {
    const folder = tempRouteFolder({
      'instrumentation.ts': "export function register() { throw new Error('the database is not migrated') }\n",
      'app/ok/route.ts': "export const GET = () => new Response('ok')\n",
    })
    const logger = recordingLogger()
    const routes = createRouteHandlers({ dir: join(folder, 'app'), instrumentation: join(folder, 'instrumentation.ts'), logger })
    await assert.rejects(routes.ready(), (error: unknown) => {
      assert.ok(isRouteHandlersError(error) && error.code === 'RH_ERR_INSTRUMENTATION', String(error))
      assert.match(error.message, /An error occurred while loading instrumentation hook ".*instrumentation\.ts": the database is not migrated/)
      return true
    })
    assert.ok(logger.errors.some((message) => message.includes('the database is not migrated')))
    const response = await routes.handle(new Request('http://localhost/ok'))
    assert.equal(await response?.text(), 'ok')
  })

  test('a file that does not compile: RH_ERR_INSTRUMENTATION with the compiler\'s message and place', async () => {
    const folder = tempRouteFolder({
      'instrumentation.ts': 'export function register( {\n',
      'app/ok/route.ts': "export const GET = () => new Response('ok')\n",
    })
    const routes = createRouteHandlers({ dir: join(folder, 'app'), instrumentation: join(folder, 'instrumentation.ts'), logger: recordingLogger() })
    await assert.rejects(routes.ready(), (error: unknown) => isRouteHandlersError(error) && error.code === 'RH_ERR_INSTRUMENTATION' && /instrumentation\.ts:\d+:\d+: Expected/.test(error.message))
  })
})
