/**
 * How route files and the modules they reach are loaded: the tsconfig in force, CommonJS route
 * files and the TypeScript they require, and one instance of every module whoever loads it.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
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
    // An `extends` naming a package not installed yet: get-tsconfig's sentence, one full stop.
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ extends: '@acme/config-typescript/nextjs.json' }))
    assert.throws(() => createRouteHandlers({ dir: join(root, 'app'), logger: quiet }), (error: Error) => {
      assert.match(error.message, /nextjs\.json' not found\. Fix the file/)
      return true
    })
  })

  // Trial: `create-next-app --js` writes its `@/*` paths in jsconfig.json, which Next.js reads when
  // the project has no tsconfig.json.
  test("a JavaScript project's jsconfig.json gives the paths; a tsconfig.json in the same folder wins", async () => {
    const root = tempRouteFolder({
      'jsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./*'] } } }),
      'lib/db.js': "export const where = 'lib/db.js'\n",
      'app/where/route.js': "import { where } from '@/lib/db'\nexport const GET = () => Response.json({ where })\n",
    })
    assert.deepEqual(await getJson(join(root, 'app'), '/where'), { where: 'lib/db.js' })
    const both = project('tsconfig.json', { '~/*': ['./src/*'] })
    writeFileSync(join(both, 'jsconfig.json'), JSON.stringify({ compilerOptions: { paths: { '~/*': ['./elsewhere/*'] } } }))
    assert.deepEqual(await getJson(join(both, 'app'), '/where'), { where: 'src/util.ts' })
  })

  // Trial (`pnpm deploy` copies the web app, a workspace package, into the API's node_modules):
  // the project's own files are not a package's because the project sits in a node_modules folder.
  test('a project inside a node_modules folder keeps its paths; a package below it does not get them', async () => {
    const root = tempRouteFolder({
      'node_modules/@acme/web/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '~/*': ['./src/*'] } } }),
      'node_modules/@acme/web/src/util.ts': "export const where = 'src/util.ts'\n",
      'node_modules/@acme/web/src/app/where/route.ts': "import { where } from '~/util'\nimport { inner } from 'inner'\nexport const GET = () => Response.json({ where, inner })\n",
      'node_modules/@acme/web/node_modules/inner/package.json': JSON.stringify({ name: 'inner', type: 'module', main: 'index.js' }),
      'node_modules/@acme/web/node_modules/inner/index.js': "let inner = 'no paths'\ntry { await import('~/util'); inner = 'paths applied' } catch {}\nexport { inner }\n",
    })
    assert.deepEqual(await getJson(join(root, 'node_modules/@acme/web/src/app'), '/where'), { where: 'src/util.ts', inner: 'no paths' })
  })

  // Trial (`pnpm deploy` of a monorepo's web app): its workspace packages that ship TypeScript
  // source land in node_modules, where their own `./client.js` (naming client.ts) and extensionless
  // imports were left to Node, which found no such file.
  test("a package's TypeScript source in node_modules imports its own files as TypeScript does; its JavaScript is Node's", () => {
    const root = tempRouteFolder({
      'node_modules/@repo/db/package.json': JSON.stringify({ name: '@repo/db', type: 'module', exports: { '.': './src/index.ts' } }),
      'node_modules/@repo/db/src/index.ts': "export * from './client.js'\n",
      'node_modules/@repo/db/src/client.ts': "export const pool: string = 'db pool'\n",
      'node_modules/@repo/auth/package.json': JSON.stringify({ name: '@repo/auth', main: './src/index.ts' }),
      'node_modules/@repo/auth/src/index.ts': "import { secret } from './lib/secret'\nexport const auth = `auth with ${secret}`\n",
      'node_modules/@repo/auth/src/lib/secret.ts': "export const secret: string = 'the secret'\n",
      'node_modules/plain-js/package.json': JSON.stringify({ name: 'plain-js', type: 'module', main: 'index.js' }),
      'node_modules/plain-js/index.js': "let found = 'Node: not found'\ntry { await import('./helper') } catch { found = 'Node: not found' }\nexport { found }\n",
      'node_modules/plain-js/helper.js': 'export const helper = true\n',
      'app/where/route.ts':
        "import { pool } from '@repo/db'\nimport { auth } from '@repo/auth'\nimport { found } from 'plain-js'\nexport const GET = () => Response.json({ pool, auth, found })\n",
    })
    // In plain Node: tsx, which runs this suite, resolves `./client.js` to client.ts by itself.
    assert.deepEqual(plainNodeAnswer(join(root, 'app'), '/where'), { pool: 'db pool', auth: 'auth with the secret', found: 'Node: not found' })
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

test("a next/* module this package does not provide (next/og) fails the load with what to install, not only Node's \"Cannot find package 'next'\"", async () => {
  const root = tempRouteFolder({
    'app/og/route.ts': "import { ImageResponse } from 'next/og'\nexport function GET() { return new ImageResponse(null as never) }\n",
    'app/cjs/route.cjs': "const { ImageResponse } = require('next/og')\nexports.GET = () => new ImageResponse(null)\n",
  })
  await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready(), (error: Error) => {
    for (const cause of (error.cause as AggregateError).errors) {
      assert.match(String((cause as Error).message), /Cannot find (package|module) 'next(\/og)?'[^]*next\/server, next\/headers, next\/navigation and next\/cache[^]*@vercel\/og/)
    }
    return true
  })
})

test('the same with a next package installed beside it (a peer of next-auth v4) that Node cannot resolve next/og in', async () => {
  const root = tempRouteFolder({
    'node_modules/next/package.json': JSON.stringify({ name: 'next', version: '15.0.0' }),
    'app/og/route.ts': "import { ImageResponse } from 'next/og'\nexport function GET() { return new ImageResponse(null as never) }\n",
  })
  await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready(), (error: Error) => {
    const cause = (error.cause instanceof AggregateError ? error.cause.errors[0] : error.cause) as Error
    assert.match(String(cause.message), /Cannot find module '[^']*\/node_modules\/next\/og'[^]*next\/server, next\/headers, next\/navigation and next\/cache[^]*@vercel\/og/)
    return true
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

/**
 * Runs `program` (an ES module) in a process of its own on the built package, without the test
 * runner's TypeScript loader (which has its own JSON and CommonJS interop), and returns its JSON.
 */
function inPlainNode(program: string): unknown {
  const index = JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)
  const source = `const { createRouteHandlers } = await import(${index})\n${program}`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' }))
}

describe('one instance, whoever loads it first (review of the one-graph loader)', () => {
  test('a JSON file imported without attributes is the object require() gives, in the host and in the graph', () => {
    const root = tempRouteFolder({
      'data.json': '{ "hits": 0 }',
      'app/a/route.ts': "import data from '../../data.json'\nexport function GET() { data.hits++; return Response.json(data) }\n",
      'app/b/route.ts':
        "import { createRequire } from 'node:module'\nexport function GET() { return Response.json(createRequire(import.meta.url)('../../data.json')) }\n",
    })
    const answer = inPlainNode(`
      import { createRequire } from 'node:module'
      const host = createRequire(import.meta.url)(${JSON.stringify(join(root, 'data.json'))})
      const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))} }).ready()
      await routes.handle(new Request('http://localhost/a'))
      const b = await (await routes.handle(new Request('http://localhost/b'))).json()
      console.log(JSON.stringify({ b, host }))
    `)
    assert.deepEqual(answer, { b: { hits: 1 }, host: { hits: 1 } })
  })

  test("a CommonJS module marked __esModule: the route gets exports.default, the host keeps Node's answer, in either order", () => {
    const files = {
      'node_modules/sdk/package.json': JSON.stringify({ name: 'sdk', main: 'index.js' }),
      'node_modules/sdk/index.js':
        'Object.defineProperty(exports, "__esModule", { value: true })\nexports.default = function sdk() { return "sdk" }\nexports.version = 2\n',
      'package.json': '{ "name": "app", "private": true }',
      'app/x/route.ts': "import sdk, { version } from 'sdk'\nexport function GET() { return Response.json({ type: typeof sdk, version }) }\n",
    }
    for (const hostFirst of [true, false]) {
      const root = tempRouteFolder(files)
      const answer = inPlainNode(`
        const hostImport = () => import(${JSON.stringify(pathToFileURL(join(root, 'node_modules/sdk/index.js')).href)})
        const early = ${hostFirst} ? await hostImport() : undefined
        const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))} }).ready()
        const route = await (await routes.handle(new Request('http://localhost/x'))).json()
        const host = early ?? (await hostImport())
        console.log(JSON.stringify({ route, host: typeof host.default.default }))
      `)
      assert.deepEqual(answer, { route: { type: 'function', version: 2 }, host: 'function' }, `host first: ${hostFirst}`)
    }
  })

  // The db module node-postgres documented for years: Node's lexer finds none of its names, Next's
  // bundler finds them all.
  test('a CommonJS module that assigns module.exports an object: the route imports its names, and the instance is the host\'s', () => {
    const root = tempRouteFolder({
      'package.json': '{ "name": "legacy-api", "private": true }',
      'lib/db.js': [
        'const pool = { connections: 0, query: (text) => ({ rows: [{ text }] }) }',
        'module.exports = {',
        '  query: (text, params) => pool.query(text, params),',
        '  getClient: () => { pool.connections++; return pool },',
        '  pool,',
        '}',
        '',
      ].join('\n'),
      'app/users/route.ts':
        "import { query, getClient, pool } from '../../lib/db'\nexport function GET() { getClient(); return Response.json({ rows: query('select 1', []).rows, connections: pool.connections }) }\n",
    })
    const answer = inPlainNode(`
      import { createRequire } from 'node:module'
      const db = createRequire(import.meta.url)(${JSON.stringify(join(root, 'lib/db.js'))})
      db.pool.connections = 41
      const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))} }).ready()
      const route = await (await routes.handle(new Request('http://localhost/users'))).json()
      console.log(JSON.stringify({ route, host: db.pool.connections }))
    `)
    assert.deepEqual(answer, { route: { rows: [{ text: 'select 1' }], connections: 42 }, host: 42 })
  })

  // Trial (dub): bcryptjs 2, a UMD bundle behind a re-exporting index.js, is what next-auth
  // credentials setups import (`import { compare, hash } from 'bcryptjs'`); Node's lexer finds no
  // name in either file, Next's bundler reads them at run time.
  test('named imports of a UMD package (bcryptjs 2 shaped) behind a re-exporting index.js link, and default and named share one instance', async () => {
    const root = tempRouteFolder({
      'node_modules/umd-crypt/package.json': '{ "name": "umd-crypt", "version": "2.4.3", "main": "index.js" }',
      'node_modules/umd-crypt/index.js': 'module.exports = require("./dist/umd-crypt.js");\n',
      'node_modules/umd-crypt/dist/umd-crypt.js': [
        '(function(global, factory) {',
        '    /* AMD */ if (typeof define === "function" && define["amd"])',
        '        define([], factory);',
        '    /* CommonJS */ else if (typeof require === "function" && typeof module === "object" && module && module["exports"])',
        '        module["exports"] = factory();',
        '    /* Global */ else',
        '        (global["dcodeIO"] = global["dcodeIO"] || {})["crypt"] = factory();',
        '}(this, function() {',
        '    "use strict";',
        '    var crypt = {};',
        '    crypt.hash = function(s) { return Promise.resolve("hashed:" + s) };',
        '    crypt["compare"] = function(s, hash) { return Promise.resolve(hash === "hashed:" + s) };',
        '    return crypt;',
        '}));',
        '',
      ].join('\n'),
      'app/login/route.ts': [
        "import crypt, { compare, hash } from 'umd-crypt'",
        'export async function GET() {',
        "  return Response.json({ ok: await compare('secret', await hash('secret')), shared: crypt.compare === compare })",
        '}',
        '',
      ].join('\n'),
    })
    assert.deepEqual(await getJson(join(root, 'app'), '/login'), { ok: true, shared: true })
  })

  // Review: following the re-export dropped the names the re-exporting file adds itself.
  test('a CommonJS index.js re-exporting a Babel build and adding a name: default, named and its own name all link', async () => {
    const root = tempRouteFolder({
      'node_modules/babel-built/package.json': '{ "name": "babel-built", "main": "index.js" }',
      'node_modules/babel-built/index.js': 'module.exports = require("./dist/index.js");\nmodule.exports.extra = function extra() { return "extra" };\n',
      'node_modules/babel-built/dist/index.js': [
        '"use strict";',
        'Object.defineProperty(exports, "__esModule", { value: true });',
        'exports.named = void 0;',
        'const named = () => "named";',
        'exports.named = named;',
        'exports.default = function main() { return "main" };',
        '',
      ].join('\n'),
      'app/x/route.ts': "import main, { named, extra } from 'babel-built'\nexport const GET = () => Response.json([main(), named(), extra()])\n",
    })
    assert.deepEqual(await getJson(join(root, 'app'), '/x'), ['main', 'named', 'extra'])
  })

  test('a route folder reached through a symlink is in the route graph', async () => {
    const root = tempRouteFolder({ 'app/x/route.ts': "import { NextResponse } from 'next/server'\nexport const GET = () => NextResponse.json({ linked: true as boolean })\n" })
    symlinkSync(join(root, 'app'), join(root, 'linked-app'))
    assert.deepEqual(await getJson(join(root, 'linked-app'), '/x'), { linked: true })
  })
})

// Trial: next-intl's `getTranslations` answered "not supported in Client Components": its server
// code is under the `react-server` condition, which Next's bundler resolves route handlers with,
// and it imports `next-intl/config`, which Next's plugin for it aliases to the app's
// `i18n/request.ts`. A package shaped like it, and a stand-in React with both builds.
describe('packages resolve as in a Next.js route handler (react-server condition, resolveAlias)', () => {
  const files = {
    'package.json': '{ "name": "app", "private": true, "type": "module" }',
    'node_modules/intl-lib/package.json': JSON.stringify({
      name: 'intl-lib',
      type: 'module',
      exports: {
        './server': { 'react-server': './server.react-server.js', default: './server.react-client.js' },
        './config': './config.js',
      },
    }),
    'node_modules/intl-lib/server.react-client.js': 'export function getTranslations() { throw new Error("`getTranslations` is not supported in Client Components.") }\n',
    'node_modules/intl-lib/server.react-server.js':
      'import getConfig from "intl-lib/config"\nimport { build } from "react"\nexport async function getTranslations(locale) { const config = await getConfig({ locale }); return { title: config.messages.title, react: build } }\n',
    'node_modules/intl-lib/config.js': 'export default function getConfig() { throw new Error("Couldn\'t find the config file") }\n',
    'node_modules/react/package.json': JSON.stringify({ name: 'react', exports: { '.': { 'react-server': './server.js', default: './index.js' } } }),
    'node_modules/react/index.js': 'exports.build = "regular"\n',
    'node_modules/react/server.js': 'exports.build = "react-server"\n',
    'i18n/request.ts':
      "import { headers } from 'next/headers'\nexport default async function getConfig({ locale }: { locale: string }) {\n  const greeting = (await headers()).get('x-greeting') ?? 'Hello'\n  return { messages: { title: `${greeting} (${locale})` } }\n}\n",
    'app/hello/route.ts':
      "import { getTranslations } from 'intl-lib/server'\nimport { build } from 'react'\nexport async function GET() { return Response.json({ ...(await getTranslations('en')), route: build }) }\n",
  }

  test('a package gets its react-server entry and the app\'s alias for its config; React stays the regular build', async () => {
    const root = tempRouteFolder(files)
    const routes = await createRouteHandlers({ dir: join(root, 'app'), logger: quiet, resolveAlias: { 'intl-lib/config': join(root, 'i18n/request') } }).ready()
    const response = await routes.handle(new Request('http://localhost/hello', { headers: { 'x-greeting': 'Hallo' } }))
    assert.deepEqual(await response!.json(), { title: 'Hallo (en)', react: 'regular', route: 'regular' })
  })

  test('without the alias, the package\'s own config answers, as under Next without its plugin', async () => {
    const root = tempRouteFolder(files)
    const routes = createRouteHandlers({ dir: join(root, 'app'), logger: quiet })
    await routes.ready()
    await assert.rejects(routes.handle(new Request('http://localhost/hello')), /Couldn't find the config file/)
  })

  test('an alias to no file fails at start-up, naming it (RH_ERR_OPTIONS_INVALID)', () => {
    const root = tempRouteFolder(files)
    assert.throws(
      () => createRouteHandlers({ dir: join(root, 'app'), logger: quiet, resolveAlias: { 'intl-lib/config': join(root, 'i18n/missing.ts') } }),
      (error: Error & { code?: string }) => error.code === 'RH_ERR_OPTIONS_INVALID' && /intl-lib\/config[^]*i18n\/missing\.ts/.test(error.message),
    )
  })
})

/**
 * A CommonJS TypeScript app run with tsx (`node --import tsx server.ts`, the usual setup of an
 * older TypeScript API) that require()s `lib/<shared>` before mounting `app/`: prints what
 * `GET /r` answered and what `check` (an expression over the module the app holds, `shared`) gives.
 */
function tsxCommonJsApp(files: Record<string, string>, shared: string, check = 'null'): { answer: unknown; check: unknown; warnings: string[] } {
  const root = tempRouteFolder({
    'package.json': JSON.stringify({ name: 'legacy-api', private: true, type: 'commonjs' }),
    ...files,
    'server.ts': `const shared = require('./lib/${shared}')
async function main(): Promise<void> {
  const { createRouteHandlers } = await import(${JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)})
  const warnings: string[] = []
  const routes = await createRouteHandlers({ dir: __dirname + '/app', logger: { warn(message: string) { warnings.push(message) }, error() {} } }).ready()
  const response = await routes.handle(new Request('http://localhost/r'))
  console.log(JSON.stringify({ answer: await response.json(), check: ${check}, warnings }))
}
void main()
`,
  })
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'server.ts')], { encoding: 'utf8' }))
}

/** What `path` answers (its JSON) from the route folder `dir`, loaded by the built package in plain Node. */
function plainNodeAnswer(dir: string, path: string): unknown {
  return inPlainNode(`
    const routes = await createRouteHandlers({ dir: ${JSON.stringify(dir)} }).ready()
    console.log(JSON.stringify(await (await routes.handle(new Request('http://localhost' + ${JSON.stringify(path)}))).json()))
  `)
}

const inThreadHooks = typeof (createRequire(import.meta.url)('node:module') as { registerHooks?: unknown }).registerHooks === 'function'

// Trial: tsx required `lib/db.ts` for the app, and the route graph compiled it again as an ES
// module: two pools. Node 20 and 22 before 22.15 load their graph's imports on another thread,
// which cannot see the app's require() cache: one instance for each, documented, and said at
// start-up (a second trial found no warning).
test('a TypeScript module a tsx-run CommonJS app required is the instance its route files import, or a warning says it is not', () => {
  const { answer, check, warnings } = tsxCommonJsApp(
    {
      'lib/db.ts': 'export const db = { id: Math.random() }\n;(globalThis as { dbEvaluations?: number }).dbEvaluations = ((globalThis as { dbEvaluations?: number }).dbEvaluations ?? 0) + 1\n',
      'app/r/route.ts': "import { db } from '../../lib/db'\nexport const GET = () => Response.json({ id: db.id })\n",
    },
    'db',
    '{ same: shared.db.id, evaluations: (globalThis as { dbEvaluations?: number }).dbEvaluations }',
  )
  const { same, evaluations } = check as { same: number; evaluations: number }
  assert.deepEqual({ same: (answer as { id: number }).id === same, evaluations }, inThreadHooks ? { same: true, evaluations: 1 } : { same: false, evaluations: 2 })
  const twice = warnings.filter((warning) => warning.includes('is loaded twice'))
  assert.equal(twice.length, inThreadHooks ? 0 : 1)
  if (!inThreadHooks) assert.match(twice[0]!, /lib[/\\]db\.ts" is loaded twice[^]*Node 22\.15\+/)
})

// Trial (a legacy Express app in TypeScript, run with tsx): `lib/cache.ts`, reached at start-up
// only by route files, was require()d later by a legacy route, and tsx compiled it again: the app
// got an empty second cache. The require() now gets the graph's instance, on every Node line.
test('a module route files imported first is the instance a later require() of the tsx-run app gets', () => {
  const root = tempRouteFolder({
    'package.json': JSON.stringify({ name: 'legacy-api', private: true, type: 'commonjs' }),
    'lib/counter.ts': [
      'let n = 0',
      'export const inc = (): number => ++n',
      "export default 'counter'",
      'const counted = globalThis as { counterEvaluations?: number }',
      'counted.counterEvaluations = (counted.counterEvaluations ?? 0) + 1',
      '',
    ].join('\n'),
    'app/r/route.ts': "import { inc } from '../../lib/counter'\nexport const GET = () => Response.json({ n: inc() })\n",
    'server.ts': `async function main(): Promise<void> {
  const { createRouteHandlers } = await import(${JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)})
  const routes = await createRouteHandlers({ dir: __dirname + '/app', logger: { warn() {}, error() {} } }).ready()
  const get = async () => (await (await routes.handle(new Request('http://localhost/r'))).json()).n
  const first = await get()
  const lib = require('./lib/counter')
  const second = lib.inc()
  const third = await get()
  const evaluations = (globalThis as { counterEvaluations?: number }).counterEvaluations
  console.log(JSON.stringify({ counts: [first, second, third], esModule: lib.__esModule, label: lib.default, evaluations }))
}
void main()
`,
  })
  const answer = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'server.ts')], { encoding: 'utf8' }))
  // One instance; `__esModule` as Node's own require() of an ES module marks one with a default export.
  assert.deepEqual(answer, { counts: [1, 2, 3], esModule: true, label: 'counter', evaluations: 1 })
})

// Review: a JSON file saved with a byte order mark (which require() drops) lost its named exports.
test('a JSON file with a byte order mark gives its keys as named exports too', async () => {
  const root = tempRouteFolder({
    'data.json': '\ufeff{ "region": "eu" }',
    'app/r/route.ts': "import { region } from '../../data.json'\nexport const GET = () => Response.json({ region })\n",
  })
  assert.deepEqual(await getJson(join(root, 'app'), '/r'), { region: 'eu' })
})

// Review: a module whose evaluation throws (a missing environment variable) was imported again to
// be shared, and its error took the whole folder down; the other route files must still serve.
test('a project module that throws when evaluated fails its own route files only', async () => {
  const root = tempRouteFolder({
    'lib/boom.ts': "if (!process.env.ROUTE_HANDLERS_NEVER_SET) throw new Error('ROUTE_HANDLERS_NEVER_SET is not set')\nexport const value = 1\n",
    'app/bad/route.ts': "import { value } from '../../lib/boom'\nexport const GET = () => Response.json({ value })\n",
    'app/ok/route.ts': "export const GET = () => Response.json({ ok: true })\n",
  })
  const routes = createRouteHandlers({ dir: join(root, 'app'), logger: quiet })
  await assert.rejects(routes.ready(), { code: 'RH_ERR_ROUTES_LOAD' })
  assert.deepEqual(await (await routes.handle(new Request('http://localhost/ok')))!.json(), { ok: true })
  assert.equal((await routes.handle(new Request('http://localhost/bad')).catch((error: { status?: number }) => error))?.status, 500)
})

// Review: under dev reload the app's require() of a changed module kept the version route files
// imported at start-up; it is the app's own again once the file changes.
test('dev reload: after an edit, the app\'s require() of a shared module is not the old version', () => {
  const root = tempRouteFolder({
    'package.json': JSON.stringify({ name: 'legacy-api', private: true, type: 'commonjs' }),
    'lib/label.ts': "export const label = 'v1'\n",
    'app/r/route.ts': "import { label } from '../../lib/label'\nexport const GET = () => Response.json({ label })\n",
    'server.ts': `import { writeFileSync } from 'node:fs'
async function main(): Promise<void> {
  const { createRouteHandlers } = await import(${JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)})
  const routes = await createRouteHandlers({ dir: __dirname + '/app', reload: true, logger: { warn() {}, error() {} } }).ready()
  const get = async () => (await (await routes.handle(new Request('http://localhost/r'))).json()).label
  const before = [await get(), require('./lib/label').label]
  writeFileSync(__dirname + '/lib/label.ts', "export const label = 'v2'\\n")
  let route = await get()
  for (let tries = 0; route !== 'v2' && tries < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    route = await get()
  }
  await routes.close()
  console.log(JSON.stringify({ before, after: [route, require('./lib/label').label] }))
}
void main()
`,
  })
  const answer = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'server.ts')], { encoding: 'utf8' }))
  assert.deepEqual(answer, { before: ['v1', 'v1'], after: ['v2', 'v2'] })
})

// Trial (umami: every route file reaches `import … from 'date-fns/locale'`, date-fns 2): Node's ES
// module resolver refuses a folder or a file without its extension inside a package, Next's
// bundler finds them, as require() does, where the package has no `exports` map.
test("a package's folder or extensionless file, without an exports map, resolves as Next's bundler resolves it", () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true, "type": "module" }',
    'node_modules/oldlib/package.json': JSON.stringify({ name: 'oldlib', main: 'index.js' }),
    'node_modules/oldlib/index.js': 'module.exports = {}\n',
    'node_modules/oldlib/debounce.js': 'module.exports = function debounce() {}\n',
    'node_modules/oldlib/locale/index.js': 'Object.defineProperty(exports, "__esModule", { value: true })\nexports.de = { code: "de" }\n',
    'node_modules/newlib/package.json': JSON.stringify({ name: 'newlib', exports: { '.': './index.js' } }),
    'node_modules/newlib/index.js': 'module.exports = {}\n',
    'node_modules/newlib/hidden.js': 'module.exports = {}\n',
    'app/old/route.ts':
      "import debounce from 'oldlib/debounce'\nimport { de } from 'oldlib/locale'\nexport function GET() { return Response.json({ debounce: typeof debounce, de: de.code }) }\n",
    'app/new/route.ts': "import hidden from 'newlib/hidden'\nexport function GET() { return Response.json({ hidden }) }\n",
  })
  const answer = inPlainNode(`
    const errors = []
    const routes = createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))}, logger: { warn() {}, error: (message) => errors.push(message) } })
    await routes.ready().catch(() => {})
    const old = await (await routes.handle(new Request('http://localhost/old'))).json()
    console.log(JSON.stringify({ old, newFailed: errors.some((message) => /new[/\\\\]route\\.ts/.test(message)) }))
  `)
  // A subpath the package's exports map leaves out stays an error, as in Next.js.
  assert.deepEqual(answer, { old: { debounce: 'function', de: 'de' }, newFailed: true })
})

// Trial (cal.com's error path: `(await import('@sentry/nextjs')).captureException` was undefined):
// Rollup's CommonJS `export *` written with an arrow function, which Node's lexer does not see.
test("a CommonJS package re-exporting another as Rollup writes it with arrows gives the other's names (@sentry/nextjs)", () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true, "type": "module" }',
    'node_modules/sentry-like/package.json': JSON.stringify({ name: 'sentry-like', main: 'build/cjs/index.js' }),
    'node_modules/sentry-like/build/cjs/index.js': [
      "Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });",
      "const node = require('node-like');",
      "exports.init = () => 'init';",
      'Object.keys(node).forEach(k => {',
      "\tif (k !== 'default' && !Object.prototype.hasOwnProperty.call(exports, k)) exports[k] = node[k];",
      '});',
      '',
    ].join('\n'),
    // Rollup's live bindings: a getter per name (review).
    'node_modules/live-like/package.json': JSON.stringify({ name: 'live-like', main: 'index.js' }),
    'node_modules/live-like/index.js': [
      "const core = require('node-like');",
      'Object.keys(core).forEach(k => {',
      "\tif (k !== 'default' && !Object.prototype.hasOwnProperty.call(exports, k)) Object.defineProperty(exports, k, {",
      '\t\tenumerable: true,',
      '\t\tget: () => core[k]',
      '\t});',
      '});',
      '',
    ].join('\n'),
    'node_modules/node-like/package.json': JSON.stringify({ name: 'node-like', main: 'index.js' }),
    'node_modules/node-like/index.js': "Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });\nexports.captureException = (error) => 'captured ' + error;\n",
    'app/r/route.ts': [
      "import * as Sentry from 'sentry-like'",
      "import { captureException } from 'sentry-like'",
      "import { captureException as live } from 'live-like'",
      "export async function GET() { return Response.json({ named: captureException('a'), star: Sentry.captureException('b'), init: Sentry.init(), dynamic: typeof (await import('sentry-like')).captureException, live: live('c') }) }",
      '',
    ].join('\n'),
  })
  const answer = plainNodeAnswer(join(root, 'app'), '/r')
  assert.deepEqual(answer, { named: 'captured a', star: 'captured b', init: 'init', dynamic: 'function', live: 'captured c' })
})

// Trial (@clerk/nextjs: its ES module build calls `require("server-only")` inside `auth()`): Next's
// bundler gives every server module `require`; Node throws "require is not defined".
test('a package ES module that calls require() as CommonJS does gets require (and __dirname), as under Next', () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'node_modules/esm-with-require/package.json': JSON.stringify({ name: 'esm-with-require', type: 'module', exports: './index.js' }),
    'node_modules/esm-with-require/index.js': [
      'export function auth() {',
      "  require('server-only')",
      "  return { base: require('node:path').basename(__dirname), typeofRequire: typeof require }",
      '}',
      '',
    ].join('\n'),
    'node_modules/declares-require/package.json': JSON.stringify({ name: 'declares-require', type: 'module', exports: './index.js' }),
    'node_modules/declares-require/index.js': "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\nexport const sep = require('node:path').sep\n",
    'app/r/route.ts': [
      "import { auth } from 'esm-with-require'",
      "import { sep } from 'declares-require'",
      'export function GET() { return Response.json({ ...auth(), sep }) }',
      '',
    ].join('\n'),
  })
  const answer = plainNodeAnswer(join(root, 'app'), '/r')
  assert.deepEqual(answer, { base: 'esm-with-require', typeofRequire: 'function', sep: '/' })
})

// Trial (100-cims' src/instrumentation.js calls require("dd-trace")): to Next's bundler a project
// .js file with import syntax, in a package without "type", is a module like a TypeScript one.
test('a project .js route file with import syntax (no "type") gets require, __dirname and __filename, as a .ts one does', () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'lib/names.js': "import { basename } from 'node:path'\nexport const folder = () => basename(__dirname)\nexport const file = () => basename(__filename)\n",
    'app/r/route.js': [
      "import { folder, file } from '../../lib/names.js'",
      "const os = require('node:os')",
      'export function GET() { return Response.json({ folder: folder(), file: file(), typeofHostname: typeof os.hostname }) }',
      '',
    ].join('\n'),
  })
  const answer = plainNodeAnswer(join(root, 'app'), '/r')
  assert.deepEqual(answer, { folder: 'lib', file: 'names.js', typeofHostname: 'function' })
})

// Trial (an icon route written for Next 13.4: `import { ImageResponse } from 'next/server'`, which
// failed to link). Next 14+ keeps the name (throwing "moved to next/og"); here it renders through
// the app's next/og or @vercel/og, found from the working directory.
test("ImageResponse and URLPattern from next/server: rendered by the app's @vercel/og, or RH_ERR_IMAGE_RESPONSE_MISSING", () => {
  const route = [
    "import { ImageResponse, URLPattern } from 'next/server'",
    'export function GET() {',
    "  if (typeof URLPattern !== typeof (globalThis as { URLPattern?: unknown }).URLPattern) throw new Error('not the global URLPattern')",
    "  try { return new ImageResponse('hello', { width: 10, height: 20 }) } catch (error) { return Response.json({ code: (error as { code?: string }).code }) }",
    '}',
    '',
  ].join('\n')
  const run = (root: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', `
        const { createRouteHandlers } = await import(${JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).href)})
        const routes = await createRouteHandlers({ dir: 'app' }).ready()
        const response = await routes.handle(new Request('http://localhost/og'))
        console.log(JSON.stringify({ type: response.headers.get('content-type'), body: await response.json() }))
      `], { cwd: root, encoding: 'utf8' }),
    ) as unknown
  const withRenderer = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'node_modules/@vercel/og/package.json': JSON.stringify({ name: '@vercel/og', type: 'module', exports: './index.js' }),
    'node_modules/@vercel/og/index.js':
      "export class ImageResponse extends Response { constructor(element, options) { super(JSON.stringify({ element, width: options.width, height: options.height }), { headers: { 'content-type': 'image/png' } }) } }\n",
    'app/og/route.ts': route,
  })
  assert.deepEqual(run(withRenderer), { type: 'image/png', body: { element: 'hello', width: 10, height: 20 } })
  const without = tempRouteFolder({ 'package.json': '{ "name": "app", "private": true }', 'app/og/route.ts': route })
  assert.deepEqual(run(without), { type: 'application/json', body: { code: 'RH_ERR_IMAGE_RESPONSE_MISSING' } })
})

// Trial (Payload 3: its generated `api/[...slug]/route.ts` imports '@payloadcms/next/css'; Node
// refused ".css" and Payload's whole REST API answered 500).
test('a stylesheet import, a package\'s or the project\'s, a CSS module included, loads as an empty module', () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'node_modules/cms-next/package.json': JSON.stringify({ name: 'cms-next', exports: { './css': './dist/styles.css' } }),
    'node_modules/cms-next/dist/styles.css': 'body { color: red }\n',
    'app/styles.scss': '$x: 1;\n',
    'app/card.module.css': '.card { color: blue }\n',
    'app/r/route.ts': [
      "import 'cms-next/css'",
      "import '../styles.scss'",
      "import styles from '../card.module.css'",
      'export function GET() { return Response.json({ card: styles.card ?? null }) }',
      '',
    ].join('\n'),
  })
  const answer = plainNodeAnswer(join(root, 'app'), '/r')
  assert.deepEqual(answer, { card: null })
})

// Trial (inbox-zero on Node 20: undici 8 throws as it loads there). Node 20 rejects the import of a
// route file whose CommonJS dependency throws, and also reports that error as an unhandled
// rejection, which ended the process: that route must answer 500 and the others serve.
test('a route file whose CommonJS dependency throws at load answers 500, the others serve, and the process lives (Node 20)', () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'node_modules/throws-at-load/package.json': JSON.stringify({ name: 'throws-at-load', main: 'index.js' }),
    'node_modules/throws-at-load/index.js': "exports.x = 1\nthrow new TypeError('boom at load')\n",
    'app/broken/route.ts': "import { x } from 'throws-at-load'\nexport const GET = () => Response.json({ x })\n",
    'app/fine/route.ts': "export const GET = () => Response.json({ fine: true })\n",
  })
  const answer = inPlainNode(`
    const routes = createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))}, logger: { warn() {}, error() {} } })
    const ready = await routes.ready().then(() => 'ready', (error) => error.code)
    const broken = await routes.handle(new Request('http://localhost/broken')).then((response) => response.status, (error) => error.code)
    const fine = await (await routes.handle(new Request('http://localhost/fine'))).json()
    await new Promise((resolve) => setTimeout(resolve, 50))
    console.log(JSON.stringify({ ready, broken, fine, listeners: process.listenerCount('unhandledRejection') }))
  `)
  assert.deepEqual(answer, { ready: 'RH_ERR_ROUTES_LOAD', broken: 'RH_ERR_ROUTE_LOAD', fine: { fine: true }, listeners: 0 })
})

// A module that adds two i32s, as bytes (all below 0x80, so a string writes them as they are).
const ADD_WASM = String.fromCharCode(
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00],
  ...[0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b],
)

// Trial (taxonomy's og route: @vercel/og 0.0.21's edge build imports '../vendor/yoga.wasm?module',
// and Node refused ".wasm"). Route files do it too (@dqbd/tiktoken/lite's tiktoken_bg.wasm?module).
test("an `x.wasm?module` import, a package's or the project's, is the compiled WebAssembly.Module, as Next's bundler gives it", () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'node_modules/wasm-math/package.json': JSON.stringify({ name: 'wasm-math', type: 'module', main: 'index.js' }),
    'node_modules/wasm-math/add.wasm': ADD_WASM,
    'node_modules/wasm-math/index.js': "import wasm from './add.wasm?module'\nexport const add = new WebAssembly.Instance(wasm).exports.add\n",
    // An `exports` map names the file, not the file with the query (@resvg/resvg-wasm).
    'node_modules/wasm-exported/package.json': JSON.stringify({ name: 'wasm-exported', exports: { '.': './index.js', './add.wasm': './add.wasm' } }),
    'node_modules/wasm-exported/add.wasm': ADD_WASM,
    'node_modules/wasm-exported/index.js': 'module.exports = {}\n',
    'lib/add.wasm': ADD_WASM,
    'app/r/route.ts': [
      "import { add } from 'wasm-math'",
      "import fromPackage from 'wasm-math/add.wasm?module'",
      "import fromProject from '../../lib/add.wasm?module'",
      "import fromExports from 'wasm-exported/add.wasm?module'",
      'const sum = (wasm: WebAssembly.Module) => (new WebAssembly.Instance(wasm).exports.add as (a: number, b: number) => number)(2, 3)',
      'export function GET() { return Response.json({ viaPackage: add(1, 2), fromPackage: sum(fromPackage), fromProject: sum(fromProject), fromExports: sum(fromExports), module: fromProject instanceof WebAssembly.Module }) }',
      '',
    ].join('\n'),
  })
  const answer = plainNodeAnswer(join(root, 'app'), '/r')
  assert.deepEqual(answer, { viaPackage: 3, fromPackage: 5, fromProject: 5, fromExports: 5, module: true })
})

// Trial (rallly's tRPC route reaches tslib): tslib's ES module entry, in a "type": "module" folder,
// default-imports its CommonJS build, marked __esModule. A strict ES module's default import of
// CommonJS is the whole module.exports, in Node and webpack alike; the bundler's interop gave undefined.
test("a strict ES module's default import of CommonJS marked __esModule is module.exports (tslib)", () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true }',
    'node_modules/tslib-like/package.json': JSON.stringify({ name: 'tslib-like', main: 'tslib.js', exports: { '.': { import: './modules/index.js', default: './tslib.js' } } }),
    'node_modules/tslib-like/tslib.js': 'Object.defineProperty(exports, "__esModule", { value: true });\nexports.__assign = Object.assign;\n',
    'node_modules/tslib-like/modules/package.json': '{ "type": "module" }',
    'node_modules/tslib-like/modules/index.js': "import tslib from '../tslib.js';\nconst { __assign } = tslib;\nexport { __assign };\n",
    'app/r/route.ts': "import { __assign } from 'tslib-like'\nexport function GET() { return Response.json(__assign({ a: 1 }, { b: 2 })) }\n",
  })
  const answer = plainNodeAnswer(join(root, 'app'), '/r')
  assert.deepEqual(answer, { a: 1, b: 2 })
})

// Trial (cal.com: route files import `@calcom/lib/constants`, a workspace package that ships its
// TypeScript source with no `main` or `exports`): Next's bundler tries `.ts` in packages too,
// Node and require() only `.js`. A package with an `exports` map is held to it.
test('a workspace package that ships TypeScript source resolves as Next resolves it; one with an exports map is held to it', () => {
  const root = tempRouteFolder({
    'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', private: true }),
    'packages/lib/index.ts': "export * from './constants'\nexport const entry: string = 'index.ts'\n",
    'packages/lib/constants.ts': "export const APP_NAME: string = 'Acme'\n",
    'packages/mapped/package.json': JSON.stringify({ name: '@acme/mapped', private: true, exports: { '.': './dist/index.js' } }),
    'packages/mapped/index.ts': 'export const unbuilt = true\n',
    'apps/web/package.json': JSON.stringify({ name: 'web', private: true }),
    'apps/web/app/lib/route.ts':
      "import { APP_NAME } from '@acme/lib/constants'\nimport { entry } from '@acme/lib'\nexport function GET() { return Response.json({ APP_NAME, entry }) }\n",
    'apps/web/app/mapped/route.ts': "import { unbuilt } from '@acme/mapped'\nexport function GET() { return Response.json({ unbuilt }) }\n",
  })
  mkdirSync(join(root, 'node_modules/@acme'), { recursive: true })
  symlinkSync(join(root, 'packages/lib'), join(root, 'node_modules/@acme/lib'), 'dir')
  symlinkSync(join(root, 'packages/mapped'), join(root, 'node_modules/@acme/mapped'), 'dir')
  const answer = inPlainNode(`
    const errors = []
    const routes = createRouteHandlers({ dir: ${JSON.stringify(join(root, 'apps/web/app'))}, logger: { warn() {}, error: (message) => errors.push(message) } })
    await routes.ready().catch(() => {})
    const lib = await (await routes.handle(new Request('http://localhost/lib'))).json()
    console.log(JSON.stringify({ lib, mappedFailed: errors.some((message) => /mapped[/\\\\]route\\.ts/.test(message)) }))
  `)
  assert.deepEqual(answer, { lib: { APP_NAME: 'Acme', entry: 'index.ts' }, mappedFailed: true })
})

// Trial (leerob's site, an `ImageResponse` route): Next's bundler makes a file named as
// `new URL('./font.ttf', import.meta.url)` an asset that fetch() answers; Node's fetch refuses
// `file:` URLs. Only such literal names are answered: a file: URL from a client's input is not.
test("fetch(new URL('./asset', import.meta.url)) reads the file, at a module's top level and in a handler, a package's too; other file: URLs stay refused", async () => {
  const root = tempRouteFolder({
    'assets/font.txt': 'font bytes',
    'app/og/note.txt': 'note beside the route',
    // As @vercel/og's edge build loads its own font (a trial: taxonomy's og route).
    'node_modules/og-like/package.json': JSON.stringify({ name: 'og-like', type: 'module', main: 'dist/index.js' }),
    'node_modules/og-like/vendor/font.txt': "the package's font",
    'node_modules/og-like/dist/index.js': "export const packageFont = fetch(new URL('../vendor/font.txt', import.meta.url)).then((res) => res.text())\n",
    'app/og/route.tsx': [
      "import { packageFont } from 'og-like'",
      "const font = fetch(new URL('../../assets/font.txt', import.meta.url)).then((res) => res.text())",
      'export async function GET(request: Request) {',
      "  const note = await (await fetch(new URL('./note.txt', import.meta.url))).text()",
      "  const asked = new URL(request.url).searchParams.get('file')",
      '  let other = null',
      '  if (asked) other = await fetch(asked).then((res) => res.text(), (error: Error) => `refused: ${error.message}`)',
      '  return Response.json({ font: await font, note, other, packageFont: await packageFont })',
      '}',
      '',
    ].join('\n'),
  })
  const routes = await createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready()
  const answer = async (query = '') => (await routes.handle(new Request(`http://localhost/og${query}`)))!.json()
  assert.deepEqual(await answer(), { font: 'font bytes', note: 'note beside the route', other: null, packageFont: "the package's font" })
  const secret = pathToFileURL(join(root, 'assets/font.txt')).href.replace('font.txt', 'secret.txt')
  const refused = (await answer(`?file=${encodeURIComponent(secret)}`)) as { other: string }
  assert.match(refused.other, /^refused: /)
})

// Trial (create-t3-turbo: the Express host imports `@acme/api` to mount tRPC itself, and its
// `@acme/auth` calls next-auth's `auth()`): a shared module the app imported before the route
// files is bound to the installed Next.js's `next/headers`, which throws in route handlers; said
// at start-up, and imported after ready() it is the route files' instance.
describe("a shared module that imports next/headers, with a real next installed (pnpm installs it as next-auth's peer)", () => {
  const project = () =>
    tempRouteFolder({
      'node_modules/next/package.json': JSON.stringify({ name: 'next', version: '15.5.0' }),
      'node_modules/next/headers.js': "exports.headers = () => { throw new Error('`headers` was called outside a request scope.') }\n",
      'lib/who.mjs': "import { headers } from 'next/headers.js'\nexport async function who() { return (await headers()).get('user-agent') }\n",
      'app/who/route.ts': "import { who } from '../../lib/who.mjs'\nexport async function GET() { return Response.json({ ua: await who() }) }\n",
    })
  const run = (root: string, importFirst: boolean) =>
    inPlainNode(`
      const warnings = []
      const shared = ${JSON.stringify(pathToFileURL(join(root, 'lib/who.mjs')).href)}
      ${importFirst ? 'await import(shared)' : ''}
      const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))}, logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
      ${importFirst ? '' : 'await import(shared)'}
      const answer = await routes.handle(new Request('http://localhost/who', { headers: { 'user-agent': 'probe' } })).then((response) => response.json(), (error) => error.message)
      console.log(JSON.stringify({ answer, warned: warnings.filter((warning) => warning.includes('node_modules/next/headers.js')).length }))
    `)

  test('imported by the app first: the route fails as in the trial, and start-up says why and what to do', () => {
    assert.deepEqual(run(project(), true), { answer: '`headers` was called outside a request scope.', warned: 1 })
  })

  test('imported by the app after ready(): the route files\' instance, with this package\'s next/headers; nothing to say', () => {
    assert.deepEqual(run(project(), false), { answer: { ua: 'probe' }, warned: 0 })
  })
})

// Trial (papermark's og route: `new URL("@/public/_static/Inter-Bold.ttf", import.meta.url)`):
// Next's bundler resolves the literal relative first, then through tsconfig `paths`; Node alone
// reads `app/og/@/public/...`.
test("new URL('@/public/font', import.meta.url) names the file tsconfig paths give, for fetch() and for fs; a file beside the route still wins", async () => {
  const root = tempRouteFolder({
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } }),
    'public/_static/font.txt': 'aliased font',
    'public/_static/local.txt': 'aliased, not taken',
    'app/og/fonts/local.txt': 'beside the route',
    'app/og/route.tsx': [
      "import { readFile } from 'node:fs/promises'",
      "const font = fetch(new URL('@/public/_static/font.txt', import.meta.url)).then((res) => res.text())",
      'export async function GET() {',
      "  const read = await readFile(new URL('@/public/_static/font.txt', import.meta.url), 'utf8')",
      "  const local = await (await fetch(new URL('fonts/local.txt', import.meta.url))).text()",
      '  return Response.json({ font: await font, read, local })',
      '}',
      '',
    ].join('\n'),
  })
  const routes = await createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready()
  const answer = await (await routes.handle(new Request('http://localhost/og')))!.json()
  assert.deepEqual(answer, { font: 'aliased font', read: 'aliased font', local: 'beside the route' })
})

// Trial (ai-chatbot's `require("./models.mock")` in an ES module): a module only the graph's own
// require() loaded is one instance, and no "loaded twice" warning names it.
test('a TypeScript module that a route file only require()s is not reported as loaded twice', () => {
  const root = tempRouteFolder({
    'package.json': '{ "name": "app", "private": true, "type": "module" }',
    'lib/mock.ts': 'export const value: number = 42\n',
    'app/r/route.ts': "const { value } = require('../../lib/mock')\nexport function GET() { return Response.json({ value }) }\n",
  })
  const answer = inPlainNode(`
    const warnings = []
    const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))}, logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
    const route = await (await routes.handle(new Request('http://localhost/r'))).json()
    console.log(JSON.stringify({ route, twice: warnings.filter((warning) => warning.includes('is loaded twice')) }))
  `)
  assert.deepEqual(answer, { route: { value: 42 }, twice: [] })
})

// Review: the instance tsx compiled lacks what the graph adds, so such a module is compiled in the
// graph as before: its "use cache" caches.
test('a module with "use cache" that the app required first still caches for the route files', () => {
  const { answer } = tsxCommonJsApp(
    {
      'lib/products.ts': "let calls = 0\nexport async function getProducts() {\n  'use cache'\n  calls++\n  return { calls }\n}\n",
      'app/r/route.ts':
        "import { getProducts } from '../../lib/products'\nexport const dynamic = 'force-dynamic'\nexport async function GET() { await getProducts(); return Response.json(await getProducts()) }\n",
    },
    'products',
  )
  assert.deepEqual(answer, { calls: 1 })
})

test('a module whose exports are null, required by the app first, still loads for the route files (review)', () => {
  const { answer } = tsxCommonJsApp(
    {
      'lib/nothing.js': 'module.exports = null\n',
      'app/r/route.ts': "import nothing from '../../lib/nothing.js'\nexport const GET = () => Response.json({ x: nothing })\n",
    },
    'nothing.js',
  )
  assert.deepEqual(answer, { x: null })
})

describe('CommonJS TypeScript without tsx', () => {
  // The test runner's tsx compiles .cts itself; a user's app has only this package's hooks. On
  // Node 22.15+ an imported .cts written with `import` failed: "Cannot use import statement outside
  // a module".
  test('a .cts route file written with import, and a .ts route importing names from a .cts helper', () => {
    const root = tempRouteFolder({
      'lib/tally.cts': 'let count = 0\nexport function tally(): number { return ++count }\n',
      'app/cts/route.cts': "import { NextResponse } from 'next/server'\nimport { tally } from '../../lib/tally.cjs'\nexport function GET() { return NextResponse.json({ flavour: 'cts', count: tally() }) }\n",
      'app/ts/route.ts': "import { tally } from '../../lib/tally.cts'\nexport const GET = () => Response.json({ flavour: 'ts', count: tally() })\n",
    })
    const answer = inPlainNode(`
      const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))} }).ready()
      const cts = await (await routes.handle(new Request('http://localhost/cts'))).json()
      const ts = await (await routes.handle(new Request('http://localhost/ts'))).json()
      console.log(JSON.stringify({ cts, ts }))
    `)
    // One helper instance, whoever imports it.
    assert.deepEqual(answer, { cts: { flavour: 'cts', count: 1 }, ts: { flavour: 'ts', count: 2 } })
  })
})

// Trial: Node's own message named a missing package '@/lib', which reads as a broken alias.
test("an @/ import whose file is missing names the import and the file the tsconfig maps it to", async () => {
  const root = tempRouteFolder({
    'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./*'] } } }),
    'app/x/route.ts': "import { db } from '@/lib/missing'\nexport const GET = () => Response.json(db)\n",
  })
  await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready(), (error: Error) => {
    assert.match(error.message, /Cannot find module '@\/lib\/missing' imported from .*x\/route\.ts: the tsconfig .* maps it to .*\/lib\/missing, and no file is there/)
    return true
  })
})

// Trial (formbricks, `baseUrl: "."`): a package not installed read as a missing file of the project.
test('a package that is not installed, under a tsconfig baseUrl, is said to be not installed', async () => {
  const root = tempRouteFolder({
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.' } }),
    'app/x/route.ts': "import { google } from 'not-installed-api'\nexport const GET = () => Response.json(Object.keys(google))\n",
  })
  await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready(), (error: Error) => {
    assert.match(error.message, /Cannot find module 'not-installed-api' imported from .*x\/route\.ts: no package of that name is installed, and the tsconfig .* maps it to .*not-installed-api, and no file is there either/)
    return true
  })
})

// Trial (dub): a workspace package whose `main` is not built yet read as a file the tsconfig maps.
test('an installed package whose entry file is missing, under a tsconfig baseUrl, gets Node\'s message naming that file', async () => {
  const root = tempRouteFolder({
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.' } }),
    'node_modules/@acme/utils/package.json': JSON.stringify({ name: '@acme/utils', main: './dist/index.mjs' }),
    'app/x/route.ts': "import { cn } from '@acme/utils'\nexport const GET = () => Response.json({ cn: typeof cn })\n",
  })
  await assert.rejects(createRouteHandlers({ dir: join(root, 'app'), logger: quiet }).ready(), (error: Error) => {
    assert.match(error.message, /node_modules\/@acme\/utils/)
    assert.doesNotMatch(error.message, /tsconfig/)
    return true
  })
})

describe('resolution as Node and Next resolve (review of the one-graph loader)', () => {
  test("a folder import uses its package.json main before its index; a builtin's name stays Node's beside a baseUrl folder", async () => {
    const root = tempRouteFolder({
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: './src' } }),
      'src/util/index.ts': "export const mine = 'src/util'\n",
      'lib/both/package.json': JSON.stringify({ main: 'main.js' }),
      'lib/both/main.js': "exports.v = 'main'\n",
      'lib/both/index.js': "exports.v = 'index'\n",
      'app/x/route.ts':
        "import { v } from '../../lib/both'\nimport * as util from 'util'\nexport const GET = () => Response.json({ v, promisify: typeof util.promisify })\n",
    })
    assert.deepEqual(await getJson(join(root, 'app'), '/x'), { v: 'main', promisify: 'function' })
  })
})

describe('route files loaded together (batches of 32), CommonJS ones alone', () => {
  test('they evaluate in the listing order, and a file that throws or does not parse leaves the others of its batch serving', async () => {
    const names = Array.from({ length: 40 }, (_, index) => `r${String(index).padStart(2, '0')}`)
    const files: Record<string, string> = { 'lib/order.ts': 'export const order: string[] = []\n' }
    for (const name of names) {
      files[`app/${name}/route.ts`] =
        name === 'r20'
          ? 'export function GET( { return new Response() }\n'
          : `import { order } from '../../lib/order.ts'\norder.push('${name}')\n${name === 'r05' ? "throw new Error('r05 fails')\n" : ''}export const GET = () => Response.json(order.length)\n`
    }
    const root = tempRouteFolder(files)
    const errors: string[] = []
    const routes = createRouteHandlers({ dir: join(root, 'app'), logger: { warn() {}, error: (message) => void errors.push(message) } })
    await assert.rejects(routes.ready(), (error: unknown) => (error as { code?: string }).code === 'RH_ERR_ROUTES_LOAD')
    for (const name of names) {
      const answer = routes.handle(new Request(`http://localhost/${name}`))
      if (name === 'r05' || name === 'r20') await assert.rejects(answer, { code: 'RH_ERR_ROUTE_LOAD' })
      else assert.equal((await answer)?.status, 200, name)
    }
    assert.equal(errors.length, 2)
    assert.ok(errors[0]!.includes('r05/route.ts') && errors[0]!.includes('r05 fails'))
    assert.ok(errors[1]!.includes('r20/route.ts'))
    const { order } = (await import(pathToFileURL(join(root, 'lib/order.ts')).href)) as { order: string[] }
    const listed = routes.routes.map((route) => route.pattern.slice(1))
    assert.deepEqual(order, listed.filter((name) => name !== 'r20'))
  })

  // Review of the batches: in plain Node, where a throw in a CommonJS dependency of the batch's
  // module ended the process on Node 20, and a batch that failed to link left next/server unlinked
  // for the CommonJS code run after it ("not yet fully loaded").
  const statusesInPlainNode = (dir: string) =>
    inPlainNode(`
      const routes = createRouteHandlers({ dir: ${JSON.stringify(dir)}, logger: { warn() {}, error() {} } })
      await routes.ready().catch(() => {})
      const statuses = {}
      for (const route of routes.routes) {
        try {
          statuses[route.pattern] = (await routes.handle(new Request('http://localhost' + route.pattern))).status
        } catch (error) {
          statuses[route.pattern] = error.code
        }
      }
      console.log(JSON.stringify(statuses))
    `)

  test('a CommonJS route file that throws at its top level is reported; the process goes on', () => {
    const root = tempRouteFolder({
      'app/a/route.cjs': "throw new Error('a: DATABASE_URL missing')\n",
      'app/b/route.ts': 'export const GET = () => new Response()\n',
      // A package without "type": CommonJS by its syntax, and an ES module by its own.
      'app/c/route.js': "if (!process.env.NOT_SET_ANYWHERE) throw new Error('c: missing')\nexports.GET = () => new Response()\n",
      'app/d/route.js': 'export const GET = () => new Response()\n',
    })
    assert.deepEqual(statusesInPlainNode(join(root, 'app')), { '/a': 'RH_ERR_ROUTE_LOAD', '/b': 200, '/c': 'RH_ERR_ROUTE_LOAD', '/d': 200 })
  })

  test('a route file that does not link leaves the CommonJS code of the others finding next/server', () => {
    const root = tempRouteFolder({
      'lib/auth.cjs': "const { NextResponse } = require('next/server')\nexports.ok = () => NextResponse.json({ auth: 1 })\n",
      'app/a/route.ts': "import { ok } from '../../lib/auth.cjs'\nexport const GET = () => ok()\n",
      'app/b/route.cjs': "const { NextResponse } = require('next/server')\nexports.GET = () => NextResponse.json({})\n",
      'app/c/route.ts': "import { NextResponse } from 'next/server'\nexport const GET = () => NextResponse.json({})\n",
      'app/d/route.ts': "import { helper } from '../../lib/helper'\nexport const GET = () => Response.json(helper)\n",
      'app/e/route.ts': 'export function GET( { }\n',
    })
    assert.deepEqual(statusesInPlainNode(join(root, 'app')), { '/a': 200, '/b': 200, '/c': 200, '/d': 'RH_ERR_ROUTE_LOAD', '/e': 'RH_ERR_ROUTE_LOAD' })
  })

  // Without tsx, whose require() of an .mjs file compiles a CommonJS copy of its own.
  test('a CommonJS route require()s an ES module that a later route file imports: one instance, both serve', () => {
    const root = tempRouteFolder({
      'lib/shared.mjs': 'export const shared = { instance: (globalThis.sharedInstances = (globalThis.sharedInstances ?? 0) + 1) }\n',
      'app/a/route.cjs': "const { shared } = require('../../lib/shared.mjs')\nexports.GET = () => Response.json(shared)\n",
      'app/b/route.ts': "import { shared } from '../../lib/shared.mjs'\nexport const GET = () => Response.json(shared)\n",
    })
    const answer = inPlainNode(`
      const routes = await createRouteHandlers({ dir: ${JSON.stringify(join(root, 'app'))} }).ready()
      const a = await (await routes.handle(new Request('http://localhost/a'))).json()
      const b = await (await routes.handle(new Request('http://localhost/b'))).json()
      console.log(JSON.stringify({ a, b }))
    `)
    assert.deepEqual(answer, { a: { instance: 1 }, b: { instance: 1 } })
  })
})
