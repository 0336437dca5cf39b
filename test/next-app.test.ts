/**
 * A route folder written as real Next.js apps write theirs (test/fixtures/next-app: no "type",
 * tsconfig paths, next-auth 4 and an Auth.js 5 stand-in in node_modules, a real `next` installed beside them), served
 * unchanged by every host, and by the built package in a process started from another folder.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { expressTarget, fastifyTarget, handleTarget, standaloneTarget, type Target } from './helpers/targets.ts'

const NEXT_APP = fileURLToPath(new URL('fixtures/next-app/app', import.meta.url))

/** Each case: a request, and what the response must be. */
const CASES: { name: string; path: string; init?: RequestInit; status?: number; body: unknown }[] = [
  {
    name: "next-auth 5 style: auth() in node_modules reads our next/headers, though a real next is installed",
    path: '/api/session',
    init: { headers: { cookie: 'authjs.session-token=ada', 'user-agent': 'probe' } },
    body: { user: { name: 'ada' }, userAgent: 'probe' },
  },
  { name: 'next-auth 5 style: no session → 401 from its NextResponse', path: '/api/session', status: 401, body: { error: 'Unauthorized' } },
  {
    name: "next-auth 4 style: a CommonJS library's require('next/headers') gets ours",
    path: '/api/legacy-session',
    init: { headers: { cookie: 'next-auth.session-token=grace', accept: 'application/json' } },
    body: { user: { name: 'grace' }, accept: 'application/json' },
  },
  {
    name: "next-auth 4's setup: a CommonJS default export marked __esModule is exports.default, as Next's bundler gives it",
    path: '/api/auth-v4/providers',
    body: { github: { id: 'github', type: 'oauth' } },
  },
  {
    name: 'handlers re-exported from the auth library: export const { GET, POST } = handlers',
    path: '/api/auth/signin',
    body: { provider: 'github', action: 'signin' },
  },
  {
    name: "@/ paths, import 'server-only', one instance of the project's db module",
    path: '/api/items',
    body: { items: [{ id: 1, name: 'Keyboard' }, { id: 2, name: 'Mouse' }], dbInstances: 1, isNextRequest: true },
  },
  { name: "'./db.js' naming db.ts and a JSON import reach the same db instance", path: '/api/package', body: { name: 'next-app', dbInstances: 1 } },
  { name: 'globalThis.AsyncLocalStorage, which Next.js defines, constructed at import time (@axiomhq/nextjs)', path: '/api/request-log', body: { store: 'request-log' } },
  { name: "a JSON file's top-level keys as named exports and in its namespace (import * as pjson)", path: '/api/version', body: { name: 'next-app', version: '1.2.3' } },
  { name: 'export * from an extensionless .ts file, in a package without "type"', path: '/api/hello?name=ada', body: { hello: 'ada' } },
  { name: 'top-level await in the route file and in a module it imports', path: '/api/config', body: { region: 'eu-west-1', startedAt: 'start-up' } },
  { name: '.tsx with the automatic JSX runtime', path: '/api/card?title=Hi', body: '<article class="card"><h1>Hi</h1></article>' },
  { name: 'require() and __dirname in a TypeScript route file', path: '/api/require', body: { folder: 'require' } },
]

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text()
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
}

for (const [host, start] of [
  ['the core', () => handleTarget('', NEXT_APP)],
  ['the standalone server', () => standaloneTarget('', NEXT_APP)],
  ['Express', () => expressTarget('', NEXT_APP)],
  ['Fastify', () => fastifyTarget('', NEXT_APP)],
] as const) {
  describe(`a Next.js app's route files, unchanged, on ${host}`, () => {
    let target: Target
    before(async () => {
      target = await start()
    })
    after(() => target.close())
    for (const { name, path, init, status = 200, body } of CASES) {
      test(name, async () => {
        const response = await target.send(path, init)
        assert.equal(response.status, status)
        assert.deepEqual(await bodyOf(response), body)
      })
    }
  })
}

describe('the built package, in a process started from another folder, with no TypeScript loader of its own', () => {
  test('serves every case: the tsconfig is found from the route folder, not the working directory', () => {
    const program = `
      const { createRouteHandlers } = await import(${JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)})
      const routes = await createRouteHandlers({ dir: ${JSON.stringify(NEXT_APP)} }).ready()
      const cases = ${JSON.stringify(CASES.map(({ path, init }) => ({ path, init })))}
      const answers = []
      for (const { path, init } of cases) {
        const response = await routes.handle(new Request('http://localhost' + path, init))
        const text = await response.text()
        answers.push({ status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text })
      }
      console.log(JSON.stringify(answers))
    `
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: tmpdir(), encoding: 'utf8' })
    const answers = JSON.parse(output) as { status: number; body: unknown }[]
    assert.deepEqual(
      answers,
      CASES.map(({ status = 200, body }) => ({ status, body })),
    )
  })
})
