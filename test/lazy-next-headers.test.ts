/**
 * A library that loads `next/headers` lazily, inside a handler (next-auth v4's `getServerSession()`
 * and route handler `require('next/headers')` when called), on the first request after start-up,
 * when nothing had turned the request store on: `cookies()` and `headers()` still find the request.
 * Each scenario runs in a fresh process (test/helpers/lazy-next-headers-child.ts), over real HTTP.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { tempRouteFolder } from './helpers/temp-routes.ts'

/** A CommonJS session library that `require()`s next/headers when called: before or after an await. */
function sessionLibrary(requireFirst: boolean): string {
  const load = "  const { cookies, headers } = require('next/headers')"
  const wait = '  await new Promise((resolve) => setImmediate(resolve))'
  return [
    'exports.getSession = async function getSession() {',
    ...(requireFirst ? [load, wait] : [wait, load]),
    "  return { user: cookies().get('user')?.value ?? null, agent: headers().get('user-agent') }",
    '}',
    '',
  ].join('\n')
}

/** A route that imports next/headers only after an await; `afterFirst`: calling after() before it. */
function importsHeadersAfterAwait(afterFirst: boolean): string {
  return [
    ...(afterFirst ? ["import { after } from 'next/server'"] : []),
    'export async function GET() {',
    ...(afterFirst ? ['  after(() => {})'] : []),
    '  await new Promise((resolve) => setImmediate(resolve))',
    "  const { cookies } = await import('next/headers')",
    "  return Response.json({ user: (await cookies()).get('user')?.value ?? null })",
    '}',
    '',
  ].join('\n')
}

// A library that requires next/headers during the handler's synchronous run (nothing in the
// folder depends on `next`, so only the handler's own store can answer).
const lazyRoot = tempRouteFolder({
  'node_modules/lazy-session/package.json': JSON.stringify({ name: 'lazy-session', main: 'index.js' }),
  'node_modules/lazy-session/index.js': sessionLibrary(true),
  'app/session/route.ts': "import { getSession } from 'lazy-session'\nexport async function GET() { return Response.json(await getSession()) }\n",
  'app/slow/route.ts': [
    'const state = globalThis as { slowStarted?: boolean; releaseSlow?: () => void }',
    'export async function GET() {',
    '  await new Promise<void>((resolve) => { state.releaseSlow = resolve; state.slowStarted = true })',
    "  return new Response('slow')",
    '}',
    '',
  ].join('\n'),
  'app/release/route.ts': "export function GET() { (globalThis as { releaseSlow?: () => void }).releaseSlow?.(); return new Response('released') }\n",
})

// Project code that names next/headers but imports it only after an await. Apart from the folder
// above: naming it turns the request store on at start-up, where those scenarios need it off.
const lateImportRoot = tempRouteFolder({
  'app/later/route.ts': importsHeadersAfterAwait(false),
  // after() first, in the synchronous run; next/headers only after an await.
  'app/after-first/route.ts': importsHeadersAfterAwait(true),
})
// The same from a helper the route file imports.
const lateHelperRoot = tempRouteFolder({
  'lib/session.ts': "export async function session() {\n  await new Promise((resolve) => setImmediate(resolve))\n  const { cookies } = await import('next/headers')\n  return { user: (await cookies()).get('user')?.value ?? null }\n}\n",
  'app/later/route.ts': "import { session } from '../../lib/session.ts'\nexport async function GET() { return Response.json(await session()) }\n",
})

// As next-auth v4 ships (a peer of `next`): require('next/headers') only after an await (a route
// doing `await params` first), on two concurrent first requests.
const nextLibraryRoot = tempRouteFolder({
  'node_modules/next-session/package.json': JSON.stringify({ name: 'next-session', main: 'index.js', peerDependencies: { next: '^14 || ^15' } }),
  'node_modules/next-session/index.js': sessionLibrary(false),
  'app/session/route.ts': "import { getSession } from 'next-session'\nexport async function GET() { return Response.json(await getSession()) }\n",
})
const child = fileURLToPath(new URL('./helpers/lazy-next-headers-child.ts', import.meta.url))

function run(root: string, scenario: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child, join(root, 'app'), scenario], { encoding: 'utf8', timeout: 60_000 }))
}

const session = { status: 200, body: JSON.stringify({ user: 'ada', agent: 'lazy-test' }) }

test('a library that require()s next/headers inside the first request: that request finds its cookies and headers', () => {
  assert.deepEqual(run(lazyRoot, 'require-in-library'), [session, session])
})

test('the same while another request runs outside the store: each finds its own', () => {
  assert.deepEqual(run(lazyRoot, 'require-beside-another'), [session, { status: 200, body: 'slow' }])
})

test('a library made for Next.js (a peer of next) that requires next/headers after an await: two concurrent first requests find theirs', () => {
  assert.deepEqual(run(nextLibraryRoot, 'two-first'), [session, session])
})

// Dev reload (trial notes): the library comes in with an edit, after start-up settled the store.
test('with dev reload, a route file added later that brings in such a library: its first request finds its cookies and headers', () => {
  const root = tempRouteFolder({
    'node_modules/next-session/package.json': JSON.stringify({ name: 'next-session', main: 'index.js', peerDependencies: { next: '^14 || ^15' } }),
    'node_modules/next-session/index.js': sessionLibrary(false),
    'app/plain/route.ts': "export const GET = () => new Response('plain')\n",
  })
  assert.deepEqual(run(root, 'reload-adds-library'), [session])
})

test('a handler that calls after() first and imports next/headers after an await, on the first request: it finds its cookies', () => {
  assert.deepEqual(run(lateImportRoot, 'after-first'), [{ status: 200, body: JSON.stringify({ user: 'ada' }) }])
})

// The store is off until something needs it; an import of next/headers after an await came too
// late for the first request (RH_ERR_CONTEXT_MISSING, 500). Naming it in a project file of the
// graph now turns the store on once the route files have loaded.
test('a handler that imports next/headers after an await, on the first request: it finds its cookies, and so does the next', () => {
  const user = { status: 200, body: JSON.stringify({ user: 'ada' }) }
  assert.deepEqual(run(lateImportRoot, 'import-after-await'), [user, user])
})

test('the same from a helper the route file imports', () => {
  const user = { status: 200, body: JSON.stringify({ user: 'ada' }) }
  assert.deepEqual(run(lateHelperRoot, 'import-after-await'), [user, user])
})
