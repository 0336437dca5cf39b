import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createRouteHandlers, isRouteHandlersError, RouteHandlersError, type AnswerSink } from '../lib/index.ts'
import { RouteRequest } from '../lib/body/route-request.ts'
import { cookies, headers } from '../lib/next/headers.ts'
import { NextResponse, NextURL } from '../lib/next/server.ts'
import { APP_DIR } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

describe('createRouteHandlers()', () => {
  test('routes lists pattern, file and exported methods once ready', async () => {
    const routes = await createRouteHandlers({ dir: APP_DIR }).ready()
    const allMethods = routes.routes.find((route) => route.pattern === '/dispatch/all-methods')
    assert.deepEqual(allMethods?.methods, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
    assert.match(allMethods?.file ?? '', /dispatch\/all-methods\/route\.ts$/)
    assert.ok(routes.routes.some((route) => route.pattern === '/items/[slug]'))
    assert.ok(!routes.routes.some((route) => route.pattern.includes('_private')))
  })

  test('match() works on mount-relative paths', () => {
    const routes = createRouteHandlers({ dir: APP_DIR })
    assert.equal(routes.match('/items/x')?.route.pattern, '/items/[slug]')
    assert.equal(routes.match('/nothing/here'), null)
  })

  test('handle() resolves null outside the basePath or without a match', async () => {
    const routes = createRouteHandlers({ dir: APP_DIR, basePath: '/api' })
    assert.equal(await routes.handle(new Request('http://localhost/items')), null)
    assert.equal(await routes.handle(new Request('http://localhost/apix/items')), null)
    assert.equal(await routes.handle(new Request('http://localhost/api/nothing')), null)
    assert.equal((await routes.handle(new Request('http://localhost/api/items')))?.status, 200)
  })

  test('handle() takes a per-call basePath and a precomputed match', async () => {
    const routes = createRouteHandlers({ dir: APP_DIR })
    const match = routes.match('/search')!
    const response = await routes.handle(new Request('http://localhost/mounted/search?query=q'), { basePath: '/mounted', match })
    assert.deepEqual(await response?.json(), {
      query: 'q',
      pathname: '/search',
      basePath: '/mounted',
      url: 'http://localhost/mounted/search?query=q',
      href: 'http://localhost/mounted/search?query=q',
    })
  })

  test("handle() rejects with the handler's own exception", async () => {
    const routes = createRouteHandlers({ dir: APP_DIR })
    await assert.rejects(routes.handle(new Request('http://localhost/dispatch/throws')), {
      name: 'Error',
      message: 'secret detail from the handler',
    })
  })

  test('a non-Response result rejects with RH_ERR_HANDLER_RESULT naming file and method', async () => {
    const routes = createRouteHandlers({ dir: APP_DIR })
    await assert.rejects(routes.handle(new Request('http://localhost/dispatch/returns-nothing', { method: 'POST' })), (error: unknown) => {
      assert.ok(isRouteHandlersError(error))
      assert.equal(error.code, 'RH_ERR_HANDLER_RESULT')
      assert.match(error.message, /POST handler in "dispatch\/returns-nothing\/route\.ts" returned an object \(Object\)/)
      return true
    })
  })

  test('NextResponse.next() and rewrite() reject with RH_ERR_HANDLER_NEXT_RESPONSE', async () => {
    const routes = createRouteHandlers({ dir: APP_DIR })
    for (const method of ['GET', 'POST']) {
      await assert.rejects(routes.handle(new Request('http://localhost/dispatch/middleware-response', { method })), {
        code: 'RH_ERR_HANDLER_NEXT_RESPONSE',
      })
    }
  })

  test('in development, lowercase and default exports are warned about once', async () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'development'
    const warnings: string[] = []
    try {
      const dir = tempRouteFolder({ 'x/route.mjs': 'export function get() {}\nexport default function () {}\nexport function POST() {}\n' })
      await createRouteHandlers({ dir, logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
    } finally {
      process.env.NODE_ENV = previous
    }
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /x\/route\.mjs" exports "default", "get"; only uppercase/)
  })

  // Trial: a Pages Router API route copied in answered 405 with nothing said, NODE_ENV being unset.
  test('in any mode, a file whose only exports look like handlers is warned about, a default export named as the Pages Router\'s', async () => {
    const previous = process.env.NODE_ENV
    delete process.env.NODE_ENV
    const warnings: string[] = []
    try {
      const dir = tempRouteFolder({
        'pages-style/route.ts': 'export default function handler(req: unknown, res: { json(body: unknown): void }) { res.json({ ok: true }) }\n',
        'mixed/route.ts': 'export function get() {}\nexport function GET() { return new Response() }\n',
      })
      await createRouteHandlers({ dir, logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
    } finally {
      if (previous !== undefined) process.env.NODE_ENV = previous
    }
    assert.equal(warnings.length, 1, warnings.join('\n'))
    assert.match(warnings[0]!, /pages-style\/route\.ts" exports "default"; only uppercase[^]*Pages Router API route/)
  })

  test('a "type": "commonjs" package (npm init -y) gets no false "default" warning, and module.exports handlers serve (issue 11)', async () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'development'
    const warnings: string[] = []
    try {
      const dir = tempRouteFolder({
        'package.json': JSON.stringify({ name: 'app', version: '1.0.0', type: 'commonjs' }),
        'named/route.js': "exports.GET = () => Response.json({ via: 'exports.GET' })\n",
        // The lexer does not see these names: Node's namespace has only `default`.
        'whole/route.js': "module.exports = { GET: () => Response.json({ via: 'module.exports' }) }\n",
        'extension/route.cjs': "module.exports.GET = () => Response.json({ via: '.cjs' })\n",
        'typescript/route.ts': "export async function GET(): Promise<Response> { return Response.json({ via: 'ts' }) }\n",
        'real-default/route.js': 'exports.default = () => new Response()\nexports.POST = () => new Response()\n',
      })
      const routes = await createRouteHandlers({ dir, logger: { warn: (message) => warnings.push(message), error() {} } }).ready()
      const answers: unknown[] = []
      for (const path of ['/named', '/whole', '/extension', '/typescript']) {
        answers.push(await (await routes.handle(new Request(`http://localhost${path}`)))?.json())
      }
      assert.deepEqual(answers, [{ via: 'exports.GET' }, { via: 'module.exports' }, { via: '.cjs' }, { via: 'ts' }])
    } finally {
      process.env.NODE_ENV = previous
    }
    // Only the file whose module.exports really has a `default` property is warned about.
    assert.equal(warnings.length, 1, warnings.join('\n'))
    assert.match(warnings[0]!, /real-default\/route\.js" exports "default"; only uppercase/)
  })
})

describe('respond() with a later sink', () => {
  const dir = tempRouteFolder({
    'now/route.ts': "export function GET() { return new Response('now') }\n",
    'later/route.ts': "export async function GET() { await null; return new Response('later') }\n",
    'fails/route.ts': "export async function GET() { await null; throw new Error('boom') }\n",
    'revalidates/route.ts': "import { revalidateTag } from 'next/cache'\nexport async function POST() { await null; revalidateTag('t'); return new Response('revalidated') }\n",
    'nothing/route.ts': 'export async function GET() { await null; return 42 }\n',
  })
  const routes = createRouteHandlers({ dir })
  const target = { name: 'the reply' }
  // Each call the sink gets, in order, as [kind, target, status or message].
  const recording = () => {
    const calls: unknown[][] = []
    let settle = () => {}
    const settled = new Promise<void>((resolve) => (settle = resolve))
    const sink: AnswerSink = {
      answered: (to, response) => void (calls.push(['answered', to, response?.status]), settle()),
      failed: (to, error) => void (calls.push(['failed', to, (error as Error).message]), settle()),
    }
    return { sink, calls, settled }
  }
  const request = (path: string, method = 'GET') => new Request(`http://localhost${path}`, { method })

  test('an answer ready at once is returned, and the sink is not called', async () => {
    await routes.ready()
    const { sink, calls } = recording()
    const response = routes.respond(request('/now'), { later: sink, target })
    assert.equal(await response?.text(), 'now')
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(calls, [])
  })

  test("an async handler's answer goes to the sink once, with the target; respond() returns undefined", async () => {
    const { sink, calls, settled } = recording()
    assert.equal(routes.respond(request('/later'), { later: sink, target }), undefined)
    await settled
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(calls, [['answered', target, 200]])
  })

  test("a handler's rejection, and a result that is no Response, go to failed()", async () => {
    for (const [path, message] of [['/fails', 'boom'], ['/nothing', /returned a number/]] as const) {
      const { sink, calls, settled } = recording()
      assert.equal(routes.respond(request(path), { later: sink, target }), undefined)
      await settled
      assert.equal(calls.length, 1)
      assert.equal(calls[0]![0], 'failed')
      assert.equal(calls[0]![1], target)
      assert.match(String(calls[0]![2]), typeof message === 'string' ? new RegExp(message) : message)
    }
  })

  test('an answer that waits for revalidateTag() reaches the sink once it is applied', async () => {
    const { sink, calls, settled } = recording()
    assert.equal(routes.respond(request('/revalidates', 'POST'), { later: sink, target }), undefined)
    await settled
    assert.deepEqual(calls, [['answered', target, 200]])
  })

  test('handle() ignores the sink: its promise answers', async () => {
    const { sink, calls } = recording()
    const response = await routes.handle(request('/later'), { later: sink, target })
    assert.equal(await response?.text(), 'later')
    assert.deepEqual(calls, [])
  })

  test('a method named like an Object.prototype key finds no handler: 400', async () => {
    assert.equal((await routes.handle(request('/now', 'constructor')))?.status, 400)
    assert.equal((await routes.handle(request('/now', 'toString')))?.status, 400)
  })
})

describe('fileMatcher()', () => {
  const dir = tempRouteFolder({
    'users/me/route.ts': "export const GET = () => new Response('me')\n",
    'users/[id]/route.ts': "export const GET = () => new Response('id')\nexport const DELETE = () => new Response('deleted')\n",
    'items/[slug]/route.ts': "export const GET = () => new Response('item')\n",
  })

  test('gives what matchFile() gives, for a file something outranks and for one nothing does', async () => {
    const routes = await createRouteHandlers({ dir }).ready()
    const file = (pattern: string) => routes.routes.find((route) => route.pattern === pattern)!
    const cases: [string, string, string][] = [
      ['/users/[id]', '/users/me', 'DELETE'],
      ['/users/[id]', '/users/me', 'GET'],
      ['/users/[id]', '/users/7', 'DELETE'],
      ['/items/[slug]', '/items/a%20b', 'GET'],
      ['/items/[slug]', '/items/a.b/', 'GET'],
      ['/items/[slug]', '/items/a/b', 'GET'],
      ['/items/[slug]', '/items/', 'GET'],
      ['/items/[slug]', '/items/%2E%2E', 'GET'],
      ['/items/[slug]', '/items/..', 'GET'],
      ['/items/[slug]', '/items/%zz', 'GET'],
      ['/items/[slug]', '/Items/x', 'GET'],
    ]
    for (const [pattern, pathname, method] of cases) {
      const bound = routes.fileMatcher(file(pattern))(pathname, method)
      const expected = routes.matchFile(file(pattern), pathname, method)
      assert.deepEqual(
        bound && { pattern: bound.route.pattern, params: { ...bound.params }, error: bound.error?.code },
        expected && { pattern: expected.route.pattern, params: { ...expected.params }, error: expected.error?.code },
        `${method} ${pathname} against ${pattern}`,
      )
    }
    assert.equal(routes.fileMatcher(file('/users/[id]'))('/users/me', 'DELETE')?.route.pattern, '/users/me')
    assert.deepEqual({ ...routes.fileMatcher(file('/items/[slug]'))('/items/a%20b', 'GET')?.params }, { slug: 'a b' })
  })

  test("a path with repeated slashes or a backslash is match()'s, whichever file asked, and is answered with the 308", async () => {
    const routes = await createRouteHandlers({ dir }).ready()
    const file = (pattern: string) => routes.routes.find((route) => route.pattern === pattern)!
    const cases: [string, string, string, string][] = [
      // Alone, `items/[slug]` would take `a\b` as its slug.
      ['/items/[slug]', '/items/a\\b', '/items/a/b', 'none'],
      ['/items/[slug]', '/users\\me', '/users/me', '/users/me'],
      ['/users/[id]', '/users//me', '/users/me', '/users/me'],
      ['/users/[id]', '//users/7', '/users/7', '/users/[id]'],
    ]
    for (const [pattern, pathname, location, whose] of cases) {
      for (const found of [routes.matchFile(file(pattern), pathname, 'GET'), routes.fileMatcher(file(pattern))(pathname, 'GET')]) {
        assert.equal(found?.route.pattern ?? 'none', whose, `${pathname} against ${pattern}`)
        if (found === null) continue
        assert.equal(found.pathname, pathname)
        // A WHATWG URL turns a backslash into `/`; the hosts' requests keep the target as sent.
        if (pathname.includes('\\')) continue
        const response = await routes.handle(new Request(`http://localhost${pathname}`), { match: found })
        assert.equal(response?.status, 308, `${pathname} against ${pattern}`)
        assert.equal(response?.headers.get('location'), location)
      }
    }
  })
})

describe('RouteRequest body reads', () => {
  test('text() decodes UTF-8 as Fetch does: BOM dropped, bad bytes replaced', async () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9, 0xff])
    const request = new RouteRequest('http://localhost/', { method: 'POST', body })
    assert.equal(await request.text(), 'hé\ufffd')
    await assert.rejects(request.text(), TypeError)
  })
})

describe('next/* aliases are scoped to the route folder', () => {
  test('two route folders loading at once both get them', async () => {
    const source = "import { NextResponse } from 'next/server'\nexport const GET = () => NextResponse.json({ ok: true })\n"
    const first = createRouteHandlers({ dir: tempRouteFolder({ 'a/route.mjs': source }) })
    const second = createRouteHandlers({ dir: tempRouteFolder({ 'b/route.mjs': source }) })
    await Promise.all([first.ready(), second.ready()])
    assert.deepEqual(await (await first.handle(new Request('http://localhost/a')))?.json(), { ok: true })
    assert.deepEqual(await (await second.handle(new Request('http://localhost/b')))?.json(), { ok: true })
  })

  test('a module outside any route folder does not get them', async () => {
    const outside = new URL('./fixtures/outside/imports-next.mjs', import.meta.url).href
    await assert.rejects(import(outside), { code: 'ERR_MODULE_NOT_FOUND' })
  })
})

describe('next/headers outside a request', () => {
  test('cookies() and headers() throw RH_ERR_CONTEXT_MISSING', () => {
    assert.throws(() => cookies(), { code: 'RH_ERR_CONTEXT_MISSING' })
    assert.throws(() => headers(), { code: 'RH_ERR_CONTEXT_MISSING' })
  })
})

describe('NextResponse', () => {
  test('json() sets content-type and keeps init', async () => {
    const response = NextResponse.json({ a: 1 }, { status: 201, headers: { 'x-a': 'b' } })
    assert.ok(response instanceof NextResponse)
    assert.equal(response.status, 201)
    assert.equal(response.headers.get('content-type'), 'application/json')
    assert.equal(response.headers.get('x-a'), 'b')
    assert.deepEqual(await response.json(), { a: 1 })
  })

  test('redirect() defaults to 307, accepts 301/302/303/307/308 only, needs an absolute URL', () => {
    const response = NextResponse.redirect('https://example.com/a')
    assert.equal(response.status, 307)
    assert.equal(response.headers.get('location'), 'https://example.com/a')
    assert.equal(NextResponse.redirect(new URL('https://example.com/b'), 301).status, 301)
    assert.equal(NextResponse.redirect('https://example.com/c', { status: 308 }).status, 308)
    assert.throws(() => NextResponse.redirect('https://example.com/', 200), RangeError)
    assert.throws(() => NextResponse.redirect('/relative'), /URL is malformed "\/relative"/)
  })

  test('json() answers behave like a real Response: read once, clone, stream, copy', async () => {
    const response = NextResponse.json({ a: 1 }, { headers: { 'x-a': 'b' } })
    assert.ok(response instanceof Response)
    assert.equal(response.ok, true)
    const clone = response.clone()
    assert.equal(response.bodyUsed, false)
    assert.deepEqual(await response.json(), { a: 1 })
    assert.equal(response.bodyUsed, true)
    await assert.rejects(response.text(), TypeError)
    assert.equal(await new Response(clone.body, clone).text(), '{"a":1}')
    const copy = new Response(NextResponse.json([1, 2]).body, { headers: { 'x-b': 'c' } })
    assert.deepEqual(await copy.json(), [1, 2])
    assert.equal(await NextResponse.json('text').text(), '"text"')
    assert.deepEqual(new Uint8Array(await NextResponse.json(1).arrayBuffer()), new TextEncoder().encode('1'))
  })

  test('json() validates like Response.json()', () => {
    assert.throws(() => NextResponse.json(undefined), TypeError)
    assert.throws(() => NextResponse.json({}, { status: 99 }), RangeError)
    assert.throws(() => NextResponse.json(1n), TypeError)
    assert.equal(NextResponse.json({}, { status: 201, statusText: 'Made' }).statusText, 'Made')
  })

  test('cookies.set() writes Set-Cookie', () => {
    const response = new NextResponse('ok')
    response.cookies.set('a', '1', { httpOnly: true })
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/; HttpOnly'])
  })
})

describe('NextURL', () => {
  test('splits the base path off the pathname', () => {
    const url = new NextURL('http://localhost/api/items?x=1', { basePath: '/api' })
    assert.equal(url.basePath, '/api')
    assert.equal(url.pathname, '/items')
    assert.equal(url.href, 'http://localhost/api/items?x=1')
    url.pathname = '/other'
    assert.equal(url.href, 'http://localhost/api/other?x=1')
    url.searchParams.set('y', '2')
    assert.equal(url.search, '?x=1&y=2')
    assert.equal(url.clone().pathname, '/other')
  })

  test('a path outside the base path has no base path', () => {
    const url = new NextURL('http://localhost/apix', { basePath: '/api' })
    assert.equal(url.basePath, '')
    assert.equal(url.pathname, '/apix')
  })
})

describe('errors', () => {
  test('isRouteHandlersError recognises errors from another copy by their brand', () => {
    const fromElsewhere = Object.assign(new Error('x'), { [Symbol.for('route-handlers.error')]: true })
    assert.equal(isRouteHandlersError(fromElsewhere), true)
    assert.equal(isRouteHandlersError(new Error('x')), false)
    const error = new RouteHandlersError('RH_ERR_PATH_ENCODING', 'bad')
    assert.equal(error.statusCode, 400)
  })
})
