/**
 * The examples as a user meets them: started the way `npm start` does, their printed URLs fetched.
 * The examples import `route-handlers` by name, so they run against the build (`npm test` builds).
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, readFileSync } from 'node:fs'
import type { Express } from 'express'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { createRouteHandlers } from 'route-handlers'
import { audited } from '../examples/quick-start/lib/orders.ts'
import { fileURLToPath } from 'node:url'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Starts an example on a free port and resolves with its base URL and what it printed. */
async function startExample(script: string): Promise<{ base: string; output: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 20_000)
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      if (output.includes('Ctrl+C')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)))
  })
  const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
  assert.ok(base, output)
  return {
    base,
    output,
    stop: async () => {
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

interface Case {
  path: string
  init?: RequestInit
  status: number
  body?: RegExp
}

const legacyAppCases = (auth: Record<string, string>): Case[] => [
  { path: '/api/hello', status: 200, body: /"Hello World"/ },
  { path: '/api/search?query=wid', status: 200, body: /"Widget"/ },
  { path: '/api/items/widget', status: 200, body: /"price":9.5/ },
  { path: '/api/items/missing', status: 404 },
  { path: '/api/cookies', init: { headers: { cookie: 'theme=dark' } }, status: 200, body: /"theme":"dark"/ },
  { path: '/api/legacy-cookies', init: { headers: { cookie: 'theme=dark' } }, status: 200, body: /"fromRequest":"dark"/ },
  { path: '/api/headers', status: 200, body: /^Hello, / },
  { path: '/api/redirect', status: 307 },
  { path: '/api/rss.xml', status: 200, body: /<rss version="2.0">/ },
  { path: '/api/stream', status: 200, body: /<p>One<\/p>\n<p>Two<\/p>\n<p>Three<\/p>/ },
  { path: '/api/cors', init: { method: 'OPTIONS' }, status: 204 },
  { path: '/api/legacy/users', status: 200, body: /"Ada"/ },
  {
    path: '/api/echo',
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' },
    status: 200,
    body: /{"res":{"hello":"world"}}/,
  },
  {
    path: '/api/items',
    init: { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"slug":"gizmo","name":"Gizmo","price":5}' },
    status: 201,
    body: /"gizmo"/,
  },
  {
    path: '/api/contact',
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Ada&email=ada%40example.com' },
    status: 200,
    body: /"email":"ada@example.com"/,
  },
  { path: '/api/contact', init: { method: 'POST', body: multipartForm() }, status: 200, body: /"attachment":{"name":"notes.txt","size":5/ },
  { path: '/api/nothing-here', status: 404, body: /nothing at GET/ },
]

function multipartForm(): FormData {
  const form = new FormData()
  form.set('name', 'Ada')
  form.set('attachment', new File(['notes'], 'notes.txt', { type: 'text/plain' }))
  return form
}

async function checkCases(base: string, output: string, cases: Case[]): Promise<void> {
  for (const { path, init, status, body } of cases) {
    const response = await fetch(base + path, { redirect: 'manual', ...init })
    assert.equal(response.status, status, `${init?.method ?? 'GET'} ${path}`)
    if (body) assert.match(await response.text(), body, path)
    if (!path.includes('nothing')) assert.ok(output.includes(path.split('?')[0]!), `the example should print ${path}`)
  }
}

/** Runs an example on a port something else holds; resolves with its exit code and what it printed. */
async function startOnBusyPort(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const { port } = blocker.address() as { port: number }
  try {
    const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, PORT: String(port) } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const [code] = (await once(child, 'close')) as [number | null]
    return { code, stdout, stderr }
  } finally {
    blocker.close()
  }
}

const EXAMPLES = ['examples/express-legacy/server.mjs', 'examples/fastify-legacy/server.mjs', 'examples/commonjs/server.cjs', 'examples/standalone/server.mjs']

describe('examples: the root page and a busy port (issue 11)', () => {
  for (const script of EXAMPLES) {
    test(`${script}: / answers 200 with the URLs to try, linked; PORT is mentioned`, async () => {
      const example = await startExample(script)
      try {
        assert.match(example.output, /PORT/)
        assert.ok(example.output.includes(`Open ${example.base}/ `), example.output)
        const response = await fetch(`${example.base}/`)
        assert.equal(response.status, 200)
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
        const page = await response.text()
        // Every URL the example prints is on the page; the GETs are links.
        const printed = [...example.output.matchAll(/^ {2}curl .*?(http:\/\/127\.0\.0\.1:\d+\/[^\s']*)/gm)].map((match) => match[1]!)
        assert.ok(printed.length >= 2, example.output)
        for (const url of printed) assert.ok(page.includes(url), `the root page should list ${url}`)
        const firstGet = /<a href="([^"]+)"/.exec(page)?.[1]
        assert.ok(firstGet, page)
        assert.equal((await fetch(firstGet)).status, 200, firstGet)
      } finally {
        await example.stop()
      }
    })

    test(`${script}: a busy port prints one line saying so and exits 1 (was: TypeError reading 'port')`, async () => {
      const { code, stdout, stderr } = await startOnBusyPort(script)
      assert.equal(code, 1)
      assert.equal(stdout, '')
      const lines = stderr.trimEnd().split('\n')
      assert.equal(lines.length, 1, stderr)
      assert.match(lines[0]!, /^Cannot listen on 127\.0\.0\.1:\d+: port \d+ is in use; .*PORT/)
    })
  }
})

describe('examples', () => {
  test('npm start: the Express legacy app prints URLs that answer', async () => {
    const example = await startExample('examples/express-legacy/server.mjs')
    try {
      await checkCases(example.base, example.output, legacyAppCases({}))
      assert.equal((await fetch(`${example.base}/api/items`, { method: 'PUT' })).status, 404, 'a method the route lacks falls through')
    } finally {
      await example.stop()
    }
  })

  test('the Fastify legacy app: same route folder, auth hook, formbody', async () => {
    const example = await startExample('examples/fastify-legacy/server.mjs')
    try {
      await checkCases(example.base, example.output, legacyAppCases({ authorization: 'Bearer demo-token' }))
      const unauthorized = await fetch(`${example.base}/api/items`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
      assert.equal(unauthorized.status, 401)
    } finally {
      await example.stop()
    }
  })

  test('the CommonJS app require()s the package', async () => {
    const example = await startExample('examples/commonjs/server.cjs')
    try {
      assert.deepEqual(await (await fetch(`${example.base}/api/hello`)).json(), { message: 'Hello World' })
      assert.deepEqual(await (await fetch(`${example.base}/api/legacy/ping`)).json(), { pong: true })
    } finally {
      await example.stop()
    }
  })

  test('two instances on one Redis (npm run start:two-instances): B serves what A cached; a price changed on B is fresh on A (issue 12)', async () => {
    const example = await startExample('examples/two-instances/start.mjs')
    try {
      const a = example.base
      const b = /B \(Fastify\) listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(example.output)?.[1]
      assert.ok(b, example.output)
      const products = async (base: string) => {
        const response = await fetch(`${base}/api/products`)
        assert.equal(response.status, 200)
        return { cache: response.headers.get('x-nextjs-cache'), body: (await response.json()) as { products: { price: number }[]; generatedBy: string } }
      }
      const first = await products(a)
      assert.equal(first.cache, 'MISS')
      assert.equal(first.body.generatedBy, 'A (Express)')
      assert.deepEqual(await products(b), { cache: 'HIT', body: first.body })
      const update = await fetch(`${b}/api/products/price`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Widget","price":12}' })
      assert.equal(update.status, 200)
      const fresh = await products(a)
      assert.equal(fresh.cache, 'MISS')
      assert.equal(fresh.body.products[0]!.price, 12)
      assert.deepEqual(await products(b), { cache: 'HIT', body: fresh.body })
      assert.deepEqual(await (await fetch(`${b}/api/legacy/instance`)).json(), { instance: 'B (Fastify)' })
      for (const url of [`${a}/api/products`, `${b}/api/products`, `${b}/api/products/price`]) assert.ok(example.output.includes(url), url)
    } finally {
      await example.stop()
    }
  })

  test('the standalone server: the core on node:http alone', async () => {
    const example = await startExample('examples/standalone/server.mjs')
    try {
      const urls = [...example.output.matchAll(/curl -i (http:\/\/127\.0\.0\.1:\d+\/\S+)$/gm)].map((match) => match[1]!)
      const statuses = await Promise.all(urls.map(async (url) => (await fetch(url, { redirect: 'manual' })).status))
      assert.deepEqual(statuses, [200, 200, 404, 200, 307])
    } finally {
      await example.stop()
    }
  })
})

/** Every fenced code block of a Markdown file, with the indentation of a list item's block removed. */
function codeBlocks(markdown: string): { language: string; text: string }[] {
  return [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)].map(([, indent, language, body]) => ({
    language: language!,
    text: body!.split('\n').map((line) => line.slice(indent!.length)).join('\n'),
  }))
}

// The README's code blocks that are files, type-checked by `npm run typecheck`
// (examples/quick-start, examples/typed-routes: module nodenext, strict, as `tsc --init` sets;
// examples/migration: the same with checkJs).
const README_FILES = [
  'examples/quick-start/app/items/[slug]/route.ts',
  'examples/quick-start/next-env.d.ts',
  'examples/quick-start/express.ts',
  'examples/quick-start/fastify.ts',
  'examples/quick-start/core.ts',
  'examples/typed-routes/app/items/[slug]/route.ts',
  'examples/quick-start/dev.ts',
  'examples/quick-start/app/orders/route.ts',
  'examples/quick-start/app/api/draft/route.ts',
  'examples/migration/before.js',
  'examples/quick-start/app/users/[id]/route.ts',
  'examples/quick-start/lib/current-user.ts',
  'examples/quick-start/current-user.ts',
  'examples/quick-start/app/me/route.ts',
  'examples/two-instances/express.mjs',
  'examples/two-instances/app/products/route.ts',
  'examples/two-instances/app/products/price/route.ts',
]

// A file whose top the README leaves out (the app a fragment lives in) marks where the shown part starts.
const SHOWN_FROM = '// README.md shows from here.\n'

/** What the README shows of an example file: all of it, or what follows the marker. */
function shownPart(source: string): string {
  const marker = source.indexOf(SHOWN_FROM)
  return marker === -1 ? source : source.slice(marker + SHOWN_FROM.length)
}

const readme = readFileSync(`${root}README.md`, 'utf8')

/** The README's blocks of one language, in order. */
function blocksOf(language: string): string[] {
  return codeBlocks(readme).filter((block) => block.language === language).map((block) => block.text)
}

/** Runs the built CLI with `args` in `cwd`. */
function cli(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(root, 'dist/lib/cli/bin.js'), ...args], { cwd, encoding: 'utf8' })
}

/** True when `shown`'s lines appear in `actual`'s, in order; a `…` line stands for rows left out. */
function showsRowsOf(shown: string, actual: string): boolean {
  const actualLines = actual.trimEnd().split('\n')
  let at = 0
  for (const line of shown.trimEnd().split('\n')) {
    if (line === '…') continue
    at = actualLines.indexOf(line, at)
    if (at === -1) return false
    at++
  }
  return true
}

describe('the README runs as written (issue 11)', () => {
  test('its code blocks are example files, as they are: quick starts, next-types line, typed route, dev reload, after(), draftMode(), migration before and after (no undefined legacyUsers, strict error middleware, .js import under nodenext)', () => {
    const blocks = codeBlocks(readme).map((block) => block.text)
    for (const file of README_FILES) {
      const source = shownPart(readFileSync(`${root}${file}`, 'utf8'))
      assert.ok(blocks.includes(source), `README.md should show ${file} as a code block, as it is:\n${source}`)
    }
    // Every ts/js block is one of them: a new block needs a file (or a reason here).
    const shown = new Set(README_FILES.map((file) => shownPart(readFileSync(`${root}${file}`, 'utf8'))))
    for (const block of [...blocksOf('ts'), ...blocksOf('js')]) assert.ok(shown.has(block), `this README block is no example file:\n${block}`)
  })

  test('the quick-start route files serve', async () => {
    const routes = await createRouteHandlers({ dir: `${root}examples/quick-start/app`, basePath: '/api' }).ready()
    const item = await routes.handle(new Request('http://localhost/api/items/widget?q=1'))
    assert.deepEqual(await item?.json(), { slug: 'widget', q: '1' })
    assert.deepEqual(await (await routes.handle(new Request('http://localhost/api/users/7')))?.json(), { id: '7', name: 'Ada' })
    assert.equal((await routes.handle(new Request('http://localhost/api/users/8')))?.status, 404)
    const order = await routes.handle(new Request('http://localhost/api/orders', { method: 'POST', body: '{"id":"o-9"}', headers: { cookie: 'session=s1' } }))
    assert.equal(order?.status, 201)
    assert.deepEqual(await order?.json(), { id: 'o-9' })
    const draft = await routes.handle(new Request('http://localhost/api/api/draft?secret=wrong'))
    assert.equal(draft?.status, 401)
    // The app's own AsyncLocalStorage, in a module it shares with the route files (README, Migrating).
    const { currentUser } = await import('../examples/quick-start/lib/current-user.ts')
    assert.equal((await routes.handle(new Request('http://localhost/api/me')))?.status, 401)
    const me = await currentUser.run({ id: '7', role: 'admin' }, () => routes.handle(new Request('http://localhost/api/me')))
    assert.deepEqual(await me?.json(), { id: '7', role: 'admin' })
    await routes.close()
    assert.deepEqual(audited, [{ orderId: 'o-9', session: 's1' }], 'the after() callback ran with the request\'s cookies')
  })

  test('the typed-routes route file and the migration "before" app serve', async () => {
    const routes = await createRouteHandlers({ dir: `${root}examples/typed-routes/app` }).ready()
    assert.deepEqual(await (await routes.handle(new Request('http://localhost/items/widget')))?.json(), { slug: 'widget' })
    await routes.close()

    // A specifier TypeScript does not follow: the root project does not check JavaScript.
    const before = new URL('../examples/migration/before.js', import.meta.url).href
    const { app } = (await import(before)) as { app: Express }
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      assert.deepEqual(await (await fetch(`${base}/api/users/7`)).json(), { id: '7', name: 'Ada' })
      assert.equal((await fetch(`${base}/api/users/8`)).status, 404)
      assert.deepEqual(await (await fetch(`${base}/api/users/7`, { method: 'PUT' })).json(), { id: '7', updated: true })
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  test('its first block: the package name, Node version, scripts and port it names are the real ones', async () => {
    const [install] = blocksOf('sh')
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { name: string; engines: { node: string }; scripts: Record<string, string> }
    assert.match(install!, new RegExp(`^npm install ${pkg.name} +# in your app \\(Node ${pkg.engines.node.replace(/^>=/, '').replace(/\./g, '\\.')}\\+`, 'm'))
    const scripts = [...install!.matchAll(/npm (?:run (\S+)|(start|test)\b)/g)].map((match) => match[1] ?? match[2]!)
    assert.deepEqual(scripts, ['start', 'test'])
    for (const script of scripts) assert.ok(pkg.scripts[script], `package.json has no "${script}" script`)
    // `npm start` runs the Express legacy app, whose root page the examples test opens.
    assert.match(pkg.scripts.start!, /examples\/express-legacy\/server\.mjs/)
    assert.match(install!, /open http:\/\/127\.0\.0\.1:3000\//)
    assert.match(readFileSync(`${root}examples/express-legacy/server.mjs`, 'utf8'), /process\.env\.PORT \?\? 3000\b/)
  })

  test('the command lines it shows run, against a copy of examples/express-legacy/app, and print what it says', () => {
    const block = blocksOf('sh').find((text) => text.includes('npx route-handlers routes'))
    assert.ok(block)
    const dir = tempRouteFolder({})
    cpSync(`${root}examples/express-legacy/app`, join(dir, 'app'), { recursive: true })
    const table = cli(root, ['routes', 'examples/express-legacy/app'])
    assert.equal(table.status, 0, table.stderr)
    const lines = [...block.matchAll(/^npx route-handlers (.+?) +# (.*)$/gm)]
    assert.equal(lines.length, 3, block)
    for (const [, command, comment] of lines) {
      const args = command!.split(/ +/)
      const result = cli(dir, args)
      assert.equal(result.status, 0, `${command}: ${result.stderr}`)
      if (args.includes('--json')) {
        // The comment's example rows, `…` standing for the others.
        const shown = JSON.parse(comment!.replace(/, …\]$/, ']')) as unknown[]
        const printed = JSON.parse(result.stdout) as unknown[]
        for (const row of shown) assert.ok(printed.some((entry) => JSON.stringify(entry) === JSON.stringify(row)), `${command} prints ${JSON.stringify(row)}`)
      } else if (args[0] === 'routes') {
        assert.equal(result.stdout, table.stdout, command)
      } else {
        const file = /^writes (\S+):/.exec(comment!)?.[1]
        assert.equal(file, 'route-types.d.ts')
        assert.match(readFileSync(join(dir, file!), 'utf8'), /"\/items\/\[slug\]": \{ "slug": string; \}/, command)
      }
    }

    const [output] = blocksOf('text')
    const [prompt, ...shown] = output!.split('\n')
    assert.equal(prompt, '$ npx route-handlers routes examples/express-legacy/app')
    assert.ok(showsRowsOf(shown.join('\n'), table.stdout), `README's table is not what the command prints:\n${table.stdout}`)
  })

  test('the logRoutes table it shows is what logRoutes logs for that folder', async () => {
    const shown = blocksOf('text').find((text) => text.startsWith('route-handlers: '))
    assert.ok(shown)
    const dir = tempRouteFolder({
      'broken/route.ts': "throw new Error('broken at load')\n",
      'items/route.ts': 'export const GET = () => Response.json([])\nexport const POST = () => new Response(null, { status: 201 })\n',
      'items/[slug]/route.ts': 'export const GET = () => Response.json({})\n',
    })
    const logged: string[] = []
    const logger = { info: (message: string) => logged.push(message), warn: () => {}, error: () => {} }
    const routes = createRouteHandlers({ dir, logRoutes: true, logger })
    await routes.ready().catch(() => {})
    assert.deepEqual(logged, [shown.trimEnd().replace('/srv/api/app', dir)])
    await routes.close()
  })
})
