/**
 * The package as a user gets it: `npm pack` in a fresh copy of the repository (no dist/, so the
 * pack's own lifecycle scripts must build it), unpacked into a scratch CommonJS app (no "type"),
 * then used from `import` and from `require()`, with no tsx registered by the app, and its
 * declarations type-checked from an ESM and a CJS consumer; then one app per flavour a user starts
 * from (ESM, `"type": "commonjs"`, TypeScript with `nodenext` and with `bundler` resolution), each
 * type-checked by tsc in strict mode and serving requests.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// Inside the repository, so the unpacked package finds its dependencies in our node_modules.
const scratch = join(root, 'test/.tmp/consumer')
const clone = join(root, 'test/.tmp/clone')
const tsc = join(root, 'node_modules/typescript/bin/tsc')

/** A fresh clone's files: what git tracks (and new files it does not ignore), without dist/. */
function copyAsCloned(): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  for (const path of listed.split('\0')) {
    if (path === '' || path.startsWith('test/') || !existsSync(join(root, path))) continue
    mkdirSync(dirname(join(clone, path)), { recursive: true })
    // A tracked link (examples/node_modules/route-handlers) is a link in a clone too; cpSync of a
    // link to a folder wants `recursive` on Node 22+.
    if (lstatSync(join(root, path)).isSymbolicLink()) symlinkSync(readlinkSync(join(root, path)), join(clone, path))
    else cpSync(join(root, path), join(clone, path))
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'))
}

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'consumer', private: true }),
  'app/hello/[name]/route.ts': `
import { NextRequest, NextResponse } from 'next/server'
import { cookies } from 'next/headers'
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  ;(await cookies()).set('greeted', 'yes')
  return NextResponse.json({ hello: (await params).name, sharesClasses: request instanceof NextRequest })
}
`,
  // Next's globals for fetch's \`next\` option: what a data layer beside the route files writes.
  'lib/prices.ts': `
const config: NextFetchRequestConfig = { revalidate: 60, tags: ['prices'] }
export const prices = (url: string) => fetch(url, { next: config, cache: 'force-cache' })
export const catalog = (url: string) => fetch(url, { next: { revalidate: false, tags: ['catalog'] } })
`,
  'app/legacy/route.js': `
import { NextRequest, NextResponse } from 'next/server'
export function GET(request) {
  return NextResponse.json({ legacy: true, sharesClasses: request instanceof NextRequest })
}
`,
  'app/commonjs/route.cjs': `
const { NextRequest, NextResponse } = require('next/server')
const { redirect } = require('next/navigation')
exports.GET = (request) => NextResponse.json({ commonjs: true, sharesClasses: request instanceof NextRequest })
exports.POST = () => redirect('/elsewhere')
`,
  'use.mjs': `
import { createRouteHandlers } from 'route-handlers'
import { NextResponse } from 'route-handlers/server'
import { cookies } from 'route-handlers/headers'
import { notFound } from 'route-handlers/navigation'
const routes = await createRouteHandlers({ dir: './app' }).ready()
const answers = []
for (const path of ['/hello/ada', '/legacy', '/commonjs']) {
  const response = await routes.handle(new Request('http://localhost' + path))
  answers.push({ path, status: response.status, body: await response.json(), cookies: response.headers.getSetCookie() })
}
const post = await routes.handle(new Request('http://localhost/commonjs', { method: 'POST' }))
answers.push({ path: 'POST /commonjs', status: post.status, location: post.headers.get('location') })
console.log(JSON.stringify({ answers, exports: [typeof NextResponse.json, typeof cookies, typeof notFound] }))
`,
  'use.cjs': `
const { createRouteHandlers, isRouteHandlersError } = require('route-handlers')
const server = require('route-handlers/server')
const headers = require('route-handlers/headers')
const navigation = require('route-handlers/navigation')
const redisStore = require('route-handlers/cache/redis')
createRouteHandlers({ dir: './app' }).ready().then(async (routes) => {
  const response = await routes.handle(new Request('http://localhost/hello/grace'))
  console.log(JSON.stringify({
    body: await response.json(),
    exports: [typeof isRouteHandlersError, typeof server.NextRequest, typeof server.userAgent, typeof headers.headers, typeof navigation.redirect, typeof navigation.RedirectType, typeof redisStore.redisCache],
  }))
})
`,
  'express.cjs': `
const express = require('express')
const { routeHandlers } = require('route-handlers/express')
const app = express()
app.use('/api', routeHandlers({ dir: './app' }))
app.get('/legacy', (req, res) => res.send('legacy'))
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port
  const hello = await fetch(base + '/api/hello/linus')
  const legacy = await fetch(base + '/legacy')
  console.log(JSON.stringify({ hello: await hello.json(), legacy: await legacy.text() }))
  server.close()
})
`,
  'fastify.mjs': `
import Fastify from 'fastify'
import routeHandlersPlugin from 'route-handlers/fastify'
const app = Fastify()
app.get('/legacy', async () => 'legacy')
await app.register(routeHandlersPlugin, { dir: './app', prefix: '/api' })
const hello = await app.inject({ url: '/api/hello/barbara' })
const legacy = await app.inject({ url: '/legacy' })
console.log(JSON.stringify({ hello: hello.json(), cookie: hello.headers['set-cookie'], legacy: legacy.body }))
await app.close()
`,
  'many.mjs': `
import { createRouteHandlers } from 'route-handlers'
const routes = await createRouteHandlers({ dir: './many' }).ready()
const statuses = []
for (const route of routes.routes) statuses.push((await routes.handle(new Request('http://localhost' + route.pattern))).status)
console.log(JSON.stringify({ count: routes.routes.length, ok: statuses.every((status) => status === 200) }))
`,
  'types.mts': `
import { createRouteHandlers, type RouteHandler, type RouteContext } from 'route-handlers'
import { NextResponse, type NextRequest } from 'route-handlers/server'
import { cookies, headers } from 'route-handlers/headers'
import { redirect } from 'route-handlers/navigation'
export const GET: RouteHandler<{ slug: string }> = async (request: NextRequest, { params }: RouteContext<{ slug: string }>) => {
  const slug: string = (await params).slug
  const legacySlug: string = params.slug
  const token: string | undefined = (await cookies()).get('token')?.value ?? cookies().get('token')?.value
  const agent: string | null = (await headers()).get('user-agent')
  if (!slug) redirect('/')
  return NextResponse.json({ slug, legacySlug, token, agent, q: request.nextUrl.searchParams.get('q') })
}
const routes = createRouteHandlers({ dir: './app', basePath: '/api' })
export const answer: Promise<Response | null> = routes.handle(new Request('http://localhost/api/x'))
`,
  'types.cts': `
import { createRouteHandlers } from 'route-handlers'
import { NextResponse } from 'route-handlers/server'
import { routeHandlers } from 'route-handlers/express'
import { routeHandlersPlugin } from 'route-handlers/fastify'
import Fastify from 'fastify'
export const middleware = routeHandlers({ dir: './app', onMissingMethod: 'fall-through' })
export const registered = Fastify().register(routeHandlersPlugin, { dir: './app', prefix: '/api' })
const routes = createRouteHandlers({ dir: './app' })
export const pattern: string | undefined = routes.routes[0]?.pattern
export const response: Response = NextResponse.json({ ok: true })
`,
  // The core alone, under TypeScript 6+'s default `types: []` and no host framework's types: the
  // package's declarations bring Node's types (Buffer, node:http) themselves.
  'core-only.mts': `
import { createRouteHandlers, serve, type CacheHandler } from 'route-handlers'
import { NextResponse } from 'route-handlers/server'
export const routes = createRouteHandlers({ dir: './app' })
export const store: CacheHandler | undefined = undefined
export { serve, NextResponse }
`,
  'tsconfig.core-only.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false },
    files: ['core-only.mts'],
  }),
  'next-env.d.ts': '/// <reference types="route-handlers/next-types" />\n',
  // `moduleResolution: "node"` (node10: older create-next-app tsconfigs, Medusa's storefront),
  // which reads no `exports`: the package's typesVersions gives it the subpaths.
  'tsconfig.node10.json': JSON.stringify({
    compilerOptions: { module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, target: 'es2022', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: ['node'], skipLibCheck: false },
    files: ['types.cts', 'next-env.d.ts', 'app/hello/[name]/route.ts', 'lib/prices.ts'],
  }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: ['node'] },
    // The route file imports next/server and next/headers with no `next` installed.
    files: ['types.mts', 'types.cts', 'next-env.d.ts', 'app/hello/[name]/route.ts', 'lib/prices.ts'],
  }),
}

/**
 * The apps a user starts from, each in a folder of its own under the scratch app (so they share its
 * unpacked package): files, and how the app is run. Each app prints what its requests answered.
 * The route files take a `name` param and a project module, imported as that flavour imports.
 */
interface Flavour {
  files: Record<string, string>
  /** The command that serves, after `tsc -p .` (which emits only where tsconfig says so). */
  start: string[]
}

const nextTypes = '/// <reference types="route-handlers/next-types" />\n'
const strictOptions = { strict: true, lib: ['ES2023', 'DOM'], types: ['node'], skipLibCheck: false }

// An Express app on port 0 that fetches its own URLs and prints their answers (JavaScript, for
// the ESM and CommonJS flavours; `address` is typed for checkJs).
const expressProbe = (base: string) => `
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  const base = 'http://127.0.0.1:' + port${base}
  const greet = await fetch(base + '/api/greet/ada')
  const legacy = await fetch(base + '/legacy')
  console.log(JSON.stringify({ greet: await greet.json(), legacy: await legacy.text() }))
  server.close()
`

const flavours: Record<string, Flavour> = {
  esm: {
    files: {
      'package.json': JSON.stringify({ name: 'esm-app', private: true, type: 'module' }),
      'lib/greeting.js': "/** @param {string} name */\nexport const greeting = (name) => 'hello ' + name\n",
      'app/greet/[name]/route.js': `import { NextResponse } from 'next/server'
import { greeting } from '../../../lib/greeting.js'
/** @param {import('next/server').NextRequest} request @param {{ params: Promise<{ name: string }> }} context */
export async function GET(request, { params }) {
  return NextResponse.json({ text: greeting((await params).name), path: request.nextUrl.pathname })
}
`,
      'server.js': `import express from 'express'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from 'route-handlers/express'
const app = express()
app.use('/api', await routeHandlers({ dir: fileURLToPath(new URL('./app', import.meta.url)) }).ready())
app.get('/legacy', (_req, res) => void res.send('legacy'))
const server = app.listen(0, '127.0.0.1', async () => {${expressProbe('')}})
`,
      'next-env.d.ts': nextTypes,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...strictOptions, module: 'nodenext', allowJs: true, checkJs: true, noEmit: true },
        include: ['server.js', 'lib', 'app', 'next-env.d.ts'],
      }),
    },
    start: ['node', 'server.js'],
  },
  // What `npm init -y` writes now: "type": "commonjs". Route files in TypeScript and CommonJS.
  commonjs: {
    files: {
      'package.json': JSON.stringify({ name: 'commonjs-app', version: '1.0.0', main: 'index.js', type: 'commonjs' }),
      'lib/greeting.ts': 'export const greeting = (name: string): string => `hello ${name}`\n',
      'app/greet/[name]/route.ts': `import { NextResponse, type NextRequest } from 'next/server'
import { greeting } from '../../../lib/greeting'
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  return NextResponse.json({ text: greeting((await params).name), path: request.nextUrl.pathname })
}
`,
      'app/ping/route.js': "const { NextResponse } = require('next/server')\nexports.GET = () => NextResponse.json({ pong: true })\n",
      'server.js': `const express = require('express')
const path = require('node:path')
const { routeHandlers } = require('route-handlers/express')
const app = express()
app.use('/api', routeHandlers({ dir: path.join(__dirname, 'app') }))
app.get('/legacy', (_req, res) => void res.send('legacy'))
const server = app.listen(0, '127.0.0.1', async () => {${expressProbe('')}})
`,
      'next-env.d.ts': nextTypes,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...strictOptions, module: 'nodenext', allowJs: true, checkJs: true, noEmit: true },
        include: ['server.js', 'lib', 'app', 'next-env.d.ts'],
      }),
    },
    start: ['node', 'server.js'],
  },
  // \`tsc --init\`: module nodenext; compiled with outDir, the route folder served from source.
  'typescript-nodenext': {
    files: {
      'package.json': JSON.stringify({ name: 'nodenext-app', private: true, type: 'module' }),
      'lib/greeting.ts': 'export const greeting = (name: string): string => `hello ${name}`\n',
      'app/greet/[name]/route.ts': `import { NextResponse, type NextRequest } from 'next/server'
import { greeting } from '../../../lib/greeting.js'
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  return NextResponse.json({ text: greeting((await params).name), path: request.nextUrl.pathname })
}
`,
      'src/server.ts': `import Fastify from 'fastify'
import { fileURLToPath } from 'node:url'
import routeHandlersPlugin from 'route-handlers/fastify'
const app = Fastify()
app.get('/legacy', async () => 'legacy')
await app.register(routeHandlersPlugin, { dir: fileURLToPath(new URL('../../app', import.meta.url)), prefix: '/api' })
const base = await app.listen({ port: 0, host: '127.0.0.1' })
const greet = await fetch(base + '/api/greet/ada')
const legacy = await fetch(base + '/legacy')
console.log(JSON.stringify({ greet: await greet.json(), legacy: await legacy.text() }))
await app.close()
`,
      'next-env.d.ts': nextTypes,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...strictOptions, module: 'nodenext', target: 'es2023', outDir: 'dist', rootDir: '.' },
        include: ['src', 'lib', 'app', 'next-env.d.ts'],
      }),
    },
    // Only the server is run compiled; \`dir\` names the sources (app/), which load as TypeScript.
    start: ['node', 'dist/src/server.js'],
  },
  // Bundler resolution (Vite, Next-style projects): extensionless imports, run with tsx.
  'typescript-bundler': {
    files: {
      'package.json': JSON.stringify({ name: 'bundler-app', private: true, type: 'module' }),
      'lib/greeting.ts': 'export const greeting = (name: string): string => `hello ${name}`\n',
      'app/greet/[name]/route.ts': `import { NextResponse, type NextRequest } from 'next/server'
import { greeting } from '../../../lib/greeting'
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  return NextResponse.json({ text: greeting((await params).name), path: request.nextUrl.pathname })
}
`,
      'server.ts': `import express from 'express'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from 'route-handlers/express'
const app = express()
app.use('/api', await routeHandlers({ dir: fileURLToPath(new URL('./app', import.meta.url)) }).ready())
app.get('/legacy', (_req, res) => void res.send('legacy'))
const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as AddressInfo
  const base = 'http://127.0.0.1:' + port
  const greet = await fetch(base + '/api/greet/ada')
  const legacy = await fetch(base + '/legacy')
  console.log(JSON.stringify({ greet: await greet.json(), legacy: await legacy.text() }))
  server.close()
})
`,
      'next-env.d.ts': nextTypes,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...strictOptions, module: 'esnext', moduleResolution: 'bundler', target: 'es2023', noEmit: true },
        include: ['server.ts', 'lib', 'app', 'next-env.d.ts'],
      }),
    },
    start: ['node', '--import', 'tsx', 'server.ts'],
  },
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

describe('the packed package', () => {
  before(() => {
    rmSync(scratch, { recursive: true, force: true })
    rmSync(clone, { recursive: true, force: true })
    mkdirSync(join(scratch, 'node_modules/route-handlers'), { recursive: true })
    copyAsCloned()
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as [
      { filename: string; files: { path: string }[] },
    ]
    execFileSync('tar', ['-xzf', join(scratch, packed.filename), '-C', join(scratch, 'node_modules/route-handlers'), '--strip-components=1'])
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true })
      writeFileSync(join(scratch, path), source)
    }
  })

  test('npm pack in a fresh clone builds dist/ and ships it, its declarations and the next/* types, not the sources or tests (issue 11)', () => {
    const listed = execFileSync('tar', ['-tzf', run('sh', ['-c', 'ls *.tgz']).trim()], { cwd: scratch, encoding: 'utf8' }).split('\n')
    assert.ok(listed.includes('package/dist/lib/index.js'))
    assert.ok(listed.includes('package/dist/lib/index.d.ts'))
    assert.ok(listed.includes('package/dist/lib/next/server.d.ts'))
    assert.ok(listed.includes('package/types/next.d.ts'))
    assert.ok(!listed.some((path) => path.startsWith('package/test/') || path.startsWith('package/lib/')))
  })

  test('works from import, with every route flavour sharing its classes, and no warnings', () => {
    const output = execFileSync('node', ['use.mjs'], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const { answers, exports } = JSON.parse(output) as { answers: unknown[]; exports: string[] }
    assert.deepEqual(answers, [
      { path: '/hello/ada', status: 200, body: { hello: 'ada', sharesClasses: true }, cookies: ['greeted=yes; Path=/'] },
      { path: '/legacy', status: 200, body: { legacy: true, sharesClasses: true }, cookies: [] },
      { path: '/commonjs', status: 200, body: { commonjs: true, sharesClasses: true }, cookies: [] },
      { path: 'POST /commonjs', status: 307, location: '/elsewhere' },
    ])
    assert.deepEqual(exports, ['function', 'function', 'function'])
  })

  test('works from require() in a CommonJS app', () => {
    const { body, exports } = JSON.parse(run('node', ['use.cjs'])) as { body: unknown; exports: string[] }
    assert.deepEqual(body, { hello: 'grace', sharesClasses: true })
    assert.deepEqual(exports, ['function', 'function', 'function', 'function', 'function', 'object', 'function'])
  })

  // Route files load one at a time: loading them in parallel once made a CommonJS route's
  // require('next/server') fail with "not yet fully loaded" while an ESM route was still importing
  // it (Node 20's require(esm); seen once, as a flaky failure of the test below this one). Many
  // files of every flavour sharing modules make such a race as likely as a test can.
  test('ESM, CommonJS and TypeScript route files sharing next/server and a helper all load', () => {
    for (let index = 0; index < 40; index++) {
      const esm = `import { NextResponse } from 'next/server'\nimport { shared } from '../shared.mjs'\nexport const GET = () => NextResponse.json({ shared, index: ${index} })\n`
      const cjs = `const { NextResponse } = require('next/server')\nexports.GET = () => NextResponse.json({ index: ${index} })\n`
      // TypeScript in a package without "type": tsx compiles it to CommonJS, so it require()s too.
      const ts = `import { NextResponse } from 'next/server'\nexport const GET = (): Response => NextResponse.json({ index: ${index} })\n`
      for (const [folder, file, source] of [[`e${index}`, 'route.mjs', esm], [`c${index}`, 'route.cjs', cjs], [`t${index}`, 'route.ts', ts]]) {
        mkdirSync(join(scratch, 'many', folder!), { recursive: true })
        writeFileSync(join(scratch, 'many', folder!, file!), source!)
      }
    }
    writeFileSync(join(scratch, 'many/shared.mjs'), "export { NextRequest as shared } from 'next/server'\n")
    assert.deepEqual(JSON.parse(run('node', ['many.mjs'])), { count: 120, ok: true })
  })

  test('a CommonJS Express app mounts it with require()', () => {
    assert.deepEqual(JSON.parse(run('node', ['express.cjs'])), { hello: { hello: 'linus', sharesClasses: true }, legacy: 'legacy' })
  })

  test('a Fastify app registers the plugin (default export)', () => {
    assert.deepEqual(JSON.parse(run('node', ['fastify.mjs'])), {
      hello: { hello: 'barbara', sharesClasses: true },
      cookie: 'greeted=yes; Path=/',
      legacy: 'legacy',
    })
  })

  test('runs without printing warnings', () => {
    const result = execFileSync('sh', ['-c', 'node use.mjs 2>&1 >/dev/null; node use.cjs 2>&1 >/dev/null'], { cwd: scratch, encoding: 'utf8' })
    assert.equal(result, '')
  })

  test('its bin runs the CLI from the installed package: route-handlers routes --json, typegen (issue 11)', () => {
    // What npm's bin-links does on install: a link in node_modules/.bin, the target made executable.
    const installed = join(scratch, 'node_modules/route-handlers')
    const { bin } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> }
    mkdirSync(join(scratch, 'node_modules/.bin'), { recursive: true })
    chmodSync(join(installed, bin['route-handlers']!), 0o755)
    rmSync(join(scratch, 'node_modules/.bin/route-handlers'), { force: true })
    symlinkSync(join('../route-handlers', bin['route-handlers']!), join(scratch, 'node_modules/.bin/route-handlers'))
    const listed = JSON.parse(run('node_modules/.bin/route-handlers', ['routes', '--json'])) as { pattern: string; methods: string[] }[]
    assert.deepEqual(
      listed.map(({ pattern, methods }) => ({ pattern, methods })),
      [
        { pattern: '/commonjs', methods: ['GET', 'POST'] },
        { pattern: '/hello/[name]', methods: ['GET'] },
        { pattern: '/legacy', methods: ['GET'] },
      ],
    )
    assert.match(run('node_modules/.bin/route-handlers', ['typegen', 'app', '--out', 'route-types.d.ts']), /wrote route-types\.d\.ts \(3 routes\)/)
    assert.match(readFileSync(join(scratch, 'route-types.d.ts'), 'utf8'), /"\/hello\/\[name\]": \{ "name": string; \}/)
  })

  test('typesVersions names the declarations of every exports subpath (what node10 resolution reads instead)', () => {
    type Manifest = { exports: Record<string, string | { types?: string }>; typesVersions: Record<string, Record<string, string[]>> }
    const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules/route-handlers/package.json'), 'utf8')) as Manifest
    const fromExports = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
      typeof target === 'object' && target.types !== undefined && subpath !== '.' ? [[subpath.slice(2), [target.types]]] : [],
    )
    assert.deepEqual(manifest.typesVersions['*'], Object.fromEntries(fromExports))
  })

  test('declarations type-check from an ESM and a CJS consumer, under moduleResolution "node", and from the core alone under `types: []`', () => {
    // A Node server app has @types/node installed; nothing else is assumed.
    for (const project of ['.', 'tsconfig.node10.json', 'tsconfig.core-only.json']) {
      try {
        run('node', [tsc, '-p', project])
      } catch (error) {
        assert.fail(`tsc -p ${project} reported errors:\n${(error as { stdout?: string }).stdout}`)
      }
    }
  })

  for (const [name, flavour] of Object.entries(flavours)) {
    test(`a ${name} app type-checks in strict mode and serves, with no warnings in development (issue 11)`, () => {
      const app = join(scratch, 'apps', name)
      for (const [path, source] of Object.entries(flavour.files)) {
        mkdirSync(dirname(join(app, path)), { recursive: true })
        writeFileSync(join(app, path), source)
      }
      try {
        execFileSync(process.execPath, [tsc, '-p', '.'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      } catch (error) {
        assert.fail(`tsc reported errors:\n${(error as { stdout?: string }).stdout}`)
      }
      const [command, ...args] = flavour.start
      const result = spawnSync(command === 'node' ? process.execPath : command!, args, {
        cwd: app,
        encoding: 'utf8',
        env: { ...process.env, NODE_ENV: 'development' },
        timeout: 60_000,
      })
      assert.equal(result.stderr, '')
      assert.equal(result.status, 0)
      assert.deepEqual(JSON.parse(result.stdout), { greet: { text: 'hello ada', path: '/greet/ada' }, legacy: 'legacy' })
    })
  }
})
