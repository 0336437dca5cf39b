/**
 * The examples as a user meets them: started the way `npm start` does, their printed URLs fetched.
 * The examples import `route-handlers` by name, so they run against the build (`npm test` builds).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, test } from 'node:test'
import { createRouteHandlers } from 'route-handlers'
import { audited } from '../examples/quick-start/lib/orders.ts'
import { fileURLToPath } from 'node:url'

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
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```\w*\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    body!.split('\n').map((line) => line.slice(indent!.length)).join('\n'),
  )
}

// The README's quick starts and migration route are these files, type-checked by `npm run
// typecheck` (examples/quick-start/tsconfig.json: module nodenext, strict, as `tsc --init` sets).
const README_FILES = [
  'examples/quick-start/app/items/[slug]/route.ts',
  'examples/quick-start/express.ts',
  'examples/quick-start/fastify.ts',
  'examples/quick-start/core.ts',
  'examples/quick-start/app/users/[id]/route.ts',
  'examples/quick-start/app/orders/route.ts',
  'examples/quick-start/app/api/draft/route.ts',
]

describe('the README runs as written (issue 11)', () => {
  test('its quick starts and migration route are examples/quick-start, as they are (no undefined legacyUsers, strict error middleware, .js import under nodenext)', () => {
    const blocks = codeBlocks(readFileSync(`${root}README.md`, 'utf8'))
    for (const file of README_FILES) {
      const source = readFileSync(`${root}${file}`, 'utf8')
      assert.ok(blocks.includes(source), `README.md should show ${file} as a code block, as it is:\n${source}`)
    }
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
    await routes.close()
    assert.deepEqual(audited, [{ orderId: 'o-9', session: 's1' }], 'the after() callback ran with the request\'s cookies')
  })
})
