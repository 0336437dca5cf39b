/**
 * The behaviour every host must show over HTTP (../shared/SPEC.md), written once and run against
 * each host, at the root and under a mount prefix, so hosts cannot drift apart.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { describeNextApis } from './next-apis-behaviour.ts'
import type { Target } from './targets.ts'

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'

interface EndlessState {
  started: number
  cancelled: number
  aborted: number
}

function endlessState(): EndlessState {
  return ((globalThis as Record<string, unknown>).__endless ?? { started: 0, cancelled: 0, aborted: 0 }) as EndlessState
}

async function json(response: Response): Promise<Record<string, unknown>> {
  assert.match(response.headers.get('content-type') ?? '', /application\/json/)
  return (await response.json()) as Record<string, unknown>
}

/** What JSON.parse throws for `text` on this Node line. */
function parseFailure(text: string): string {
  try {
    JSON.parse(text)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error(`${text} parses`)
}

export function runBehaviour(name: string, start: () => Promise<Target>): void {
  describe(name, () => {
    let target: Target
    const send = (path: string, init?: RequestInit) => target.send(path, init)
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    describeNextApis(() => target)

    describe('Next.js documentation examples', () => {
      test('static JSON GET', async () => {
        const response = await send('/items')
        assert.equal(response.status, 200)
        assert.deepEqual(await json(response), { data: [{ id: 1, name: 'Widget' }] })
      })

      test('/x/ answers 308 to /x, the query kept, as Next.js does (trailingSlash: false); the handler never sees the slash', async () => {
        for (const [path, location] of [['/items/', '/items'], ['/items/?q=1', '/items?q=1'], ['/conventions/files/a/b/', '/conventions/files/a/b']]) {
          const response = await send(path!, { redirect: 'manual' })
          assert.equal(response.status, 308, path)
          assert.equal(response.headers.get('location'), `${target.prefix}${location}`)
          assert.equal(response.headers.get('refresh'), `0;url=${target.prefix}${location}`)
          // Untyped, its body the location, as next start sends it (trial: a text/plain type came along).
          assert.equal(response.headers.get('content-type'), null, path)
          assert.equal(await response.text(), `${target.prefix}${location}`)
        }
        const post = await send('/echo/', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, redirect: 'manual' })
        assert.equal(post.status, 308, 'whatever the method (308 keeps it and the body)')
        await post.body?.cancel()
        // The mount's root: `/api/` goes to `/api` (Next's basePath + '/'); unmounted, `/` is the root.
        const root = await send('/?q=1', { redirect: 'manual' })
        if (target.prefix === '') assert.equal(root.status, 200)
        else {
          assert.equal(root.status, 308)
          assert.equal(root.headers.get('location'), `${target.prefix}?q=1`)
        }
        await root.body?.cancel()
      })

      test('repeated slashes answer 308 to the path with single ones, the query kept, as Next.js does; the handler never sees them', async () => {
        for (const [path, location] of [['//items', '/items'], ['/conventions//about', '/conventions/about'], ['/conventions/files//a///b?q=1', '/conventions/files/a/b?q=1'], ['/items//abc', '/items/abc']]) {
          const response = await send(path!, { redirect: 'manual' })
          assert.equal(response.status, 308, path)
          assert.equal(response.headers.get('location'), `${target.prefix}${location}`, path)
          // Next's res.redirect(…, 308): a Refresh header, the location as an untyped body (trial).
          assert.equal(response.headers.get('refresh'), `0;url=${target.prefix}${location}`, path)
          assert.equal(response.headers.get('content-type'), null, path)
          assert.equal(await response.text(), `${target.prefix}${location}`, path)
        }
        // Not a route file's path once clean: not this folder's to answer.
        assert.equal((await send('//no-such-route')).status, 404)
      })

      test('[slug] with awaited params (Next 15/16), decoded', async () => {
        assert.deepEqual(await json(await send('/items/hello%20world')), { slug: 'hello world' })
      })

      test('[slug] with sync params (Next 13/14)', async () => {
        assert.deepEqual(await json(await send('/legacy-items/abc')), { slug: 'abc' })
      })

      test('query parameters, nextUrl and the full original URL', async () => {
        const body = await json(await send('/search?query=hello&raw=%20a+b'))
        assert.equal(body.query, 'hello')
        assert.equal(body.pathname, '/search')
        assert.equal(body.basePath, target.prefix)
        assert.match(String(body.url), new RegExp(`^http://[^/]+${target.prefix}/search\\?query=hello&raw=%20a\\+b$`))
      })

      test('cookies() awaited (Next 15/16)', async () => {
        const response = await send('/cookies', { headers: { cookie: 'token=abc123' } })
        assert.equal(await response.text(), 'Hello, Next.js!')
        assert.deepEqual(response.headers.getSetCookie(), ['token=abc123'])
      })

      test('cookies() sync (Next 13/14) and request.cookies; set() reaches the response', async () => {
        const response = await send('/legacy-cookies', { headers: { cookie: 'token=t1; other=%E0%A4%A; last=1' } })
        assert.deepEqual(await json(response), { token: 't1', fromRequest: 't1', all: ['token', 'last'] })
        assert.deepEqual(response.headers.getSetCookie(), ['visited=yes; Path=/'])
      })

      test('headers() awaited (Next 15/16)', async () => {
        const response = await send('/headers', { headers: { referer: 'https://example.com/from' } })
        assert.equal(response.headers.get('referer'), 'https://example.com/from')
      })

      test('headers() sync (Next 13/14) is read-only', async () => {
        const body = await json(await send('/legacy-headers', { headers: { referer: 'https://r.example/' } }))
        assert.deepEqual(body, { referer: 'https://r.example/', fromRequest: 'https://r.example/', readonly: 'RH_ERR_HEADERS_READONLY' })
      })

      test('redirect() answers 307 with Location as given', async () => {
        const response = await send('/redirect')
        assert.equal(response.status, 307)
        assert.equal(response.headers.get('location'), 'https://nextjs.org/')
      })

      test("unstable_rethrow() finds redirect() and notFound() in a wrapping error's cause; anything else stays caught", async () => {
        const redirected = await send('/next-apis/rethrow?kind=redirect', { redirect: 'manual' })
        assert.equal(redirected.status, 307)
        assert.equal(redirected.headers.get('location'), '/elsewhere')
        assert.equal((await send('/next-apis/rethrow?kind=missing')).status, 404)
        const caught = await send('/next-apis/rethrow')
        assert.equal(caught.status, 500)
        assert.equal(await caught.text(), 'caught')
      })

      test('JSON body', async () => {
        const response = await send('/echo', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ hello: 'world', list: [1, 2] }),
        })
        assert.deepEqual(await json(response), { res: { hello: 'world', list: [1, 2] } })
      })

      test('urlencoded form body', async () => {
        const response = await send('/form', { method: 'POST', body: new URLSearchParams({ name: 'Ada', email: 'ada@example.com' }) })
        assert.deepEqual(await json(response), { name: 'Ada', email: 'ada@example.com', file: null })
      })

      test('multipart form body with a file', async () => {
        const form = new FormData()
        form.set('name', 'Ada')
        form.set('file', new File(['file contents'], 'notes.txt', { type: 'text/plain' }))
        const body = await json(await send('/form', { method: 'POST', body: form }))
        assert.deepEqual(body, { name: 'Ada', email: null, file: { name: 'notes.txt', type: 'text/plain', size: 13, text: 'file contents' } })
      })

      test('CORS headers on GET and an OPTIONS handler of its own', async () => {
        const get = await send('/cors')
        assert.equal(get.headers.get('access-control-allow-origin'), '*')
        const options = await send('/cors', { method: 'OPTIONS' })
        assert.equal(options.status, 204)
        assert.equal(options.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE, OPTIONS')
        assert.equal(options.headers.get('allow'), null)
      })

      test('a JSON response goes out with exactly the content type its Response has, no charset added (issue 10 #12)', async () => {
        const expected: Record<string, string> = {
          'next-json': 'application/json',
          'next-json-headers': 'application/json',
          'next-json-cookie': 'application/json',
          'response-json': 'application/json',
          'own-type': 'Application/Problem+JSON;profile="urn:x"',
          'own-type-text': 'application/json',
        }
        for (const [kind, type] of Object.entries(expected)) {
          const response = await send(`/dispatch/json-content-type?kind=${kind}`)
          assert.equal(response.headers.get('content-type'), type, kind)
          assert.deepEqual(await response.json(), { ok: true }, kind)
        }
      })

      test('rss.xml: dots in folder names are literal', async () => {
        const response = await send('/rss.xml')
        assert.equal(response.headers.get('content-type'), 'text/xml')
        assert.match(await response.text(), /<title>Next\.js Documentation<\/title>/)
      })

      test('streamed response', async () => {
        assert.equal(await (await send('/stream')).text(), '<p>One</p><p>Two</p><p>Three</p>')
      })

      test('userAgent()', async () => {
        assert.deepEqual(await json(await send('/user-agent', { headers: { 'user-agent': CHROME } })), {
          browser: 'Chrome',
          os: 'Windows',
          isBot: false,
        })
        const bot = await json(await send('/user-agent', { headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } }))
        assert.equal(bot.isBot, true)
      })
    })

    describe('folders → URLs', () => {
      const cases: Array<[path: string, route: string | null, params?: Record<string, unknown>]> = [
        ['/conventions/about', '(marketing)/about', {}],
        ['/conventions/_private', null],
        ['/conventions/_underscore', '%5Funderscore', {}],
        // The folder's URL is /_underscore; its encoded alias is another path (issue 10 #1).
        ['/conventions/%5Funderscore', null],
        ['/conventions/%61bout', null],
        ['/conventions/caf%C3%A9', 'café', {}],
        ['/conventions/v1.0/data.json', 'v1.0/data.json', {}],
        ['/conventions/files/a%2Fb/c', 'files/[...path]', { path: ['a/b', 'c'] }],
        ['/conventions/files/a+b', 'files/[...path]', { path: ['a+b'] }],
        ['/conventions/files', null],
        ['/conventions/optional', 'optional/[[...parts]]', {}],
        ['/conventions/optional/x/y', 'optional/[[...parts]]', { parts: ['x', 'y'] }],
        ['/conventions/ctor/x', 'ctor/[constructor]', { constructor: 'x' }],
        ['/conventions/then/x', 'then/[then]', { then: 'x' }],
        ['/nowhere', null],
        // SPEC's precedence examples.
        ['/precedence/blog/new', '/blog/new', {}],
        ['/precedence/blog/x', '/blog/[slug]', { slug: 'x' }],
        ['/precedence/blog/x/edit', '/blog/[slug]/edit', { slug: 'x' }],
        ['/precedence/blog/x/y', '/blog/[...rest]', { rest: ['x', 'y'] }],
        ['/precedence/blog', '/[[...all]]', { all: ['blog'] }],
        ['/precedence', '/[[...all]]', {}],
        ['/precedence/other/deep/path', '/[[...all]]', { all: ['other', 'deep', 'path'] }],
      ]
      for (const [path, route, params] of cases) {
        test(`${path} → ${route ?? '404'}`, async () => {
          const response = await send(path)
          if (route === null) {
            assert.equal(response.status, 404)
            return
          }
          assert.equal(response.status, 200)
          assert.deepEqual(await json(response), { route, params })
        })
      }

      test('a param named __proto__ is a plain key', async () => {
        const text = await (await send('/conventions/proto/x')).text()
        assert.equal(text, '{"route":"proto/[__proto__]","params":{"__proto__":"x"}}')
      })

      test('malformed percent-encoding in a matched path → 400', async () => {
        assert.equal((await send('/items/%E0%A4%A')).status, 400)
        assert.equal((await send('/conventions/files/ok/%ZZ')).status, 400)
      })

      test('a helper in a private folder may use next/headers', async () => {
        assert.deepEqual(await json(await send('/conventions/uses-helper', { headers: { 'x-caller': 'tests' } })), { caller: 'tests' })
      })

      test('route files in every module flavour load, with next/* from this package', async () => {
        const flavours: Array<[string, string]> = [
          ['/loading/esm-js', 'route.js'],
          ['/loading/mjs', 'route.mjs'],
          ['/loading/cjs', 'route.cjs'],
          ['/loading/tsx', 'route.tsx'],
          ['/loading/typeless/js', 'typeless route.js'],
          ['/loading/typeless/ts', 'typeless route.ts'],
        ]
        for (const [path, loadedAs] of flavours) {
          const body = await json(await send(path, { headers: { cookie: 'a=1' } }))
          assert.equal(body.loadedAs, loadedAs, path)
          if ('cookie' in body) assert.equal(body.cookie, '1', path)
        }
        assert.deepEqual(await json(await send('/loading/shares-classes')), { sharesClasses: true })
      })

      test('a second copy of the package in the process shares the request store', async () => {
        const response = await send('/loading/second-copy', { headers: { cookie: 'a=1' } })
        assert.deepEqual(await json(response), { cookie: '1' })
        assert.deepEqual(response.headers.getSetCookie(), ['copy=second; Path=/'])
        const redirected = await send('/loading/second-copy?redirect')
        assert.equal(redirected.status, 307)
        assert.equal(redirected.headers.get('location'), '/from-second-copy')
        assert.deepEqual(redirected.headers.getSetCookie(), ['copy=second; Path=/'])
      })
    })

    describe('methods', () => {
      test('HEAD runs GET and drops the body, keeping status and headers', async () => {
        const response = await send('/dispatch/only-get', { method: 'HEAD' })
        assert.equal(response.status, 200)
        assert.equal(response.headers.get('x-from'), 'GET')
        assert.equal(await response.text(), '')
      })

      test('an exported HEAD is used, and its body is dropped', async () => {
        const response = await send('/dispatch/own-head', { method: 'HEAD' })
        assert.equal(response.headers.get('x-from'), 'HEAD')
        assert.equal(await response.text(), '')
      })

      test('HEAD on an endless stream answers at once and cancels the stream', async () => {
        const before = endlessState().cancelled
        const response = await send('/dispatch/endless', { method: 'HEAD' })
        assert.equal(response.status, 200)
        assert.equal(await response.text(), '')
        for (let attempt = 0; attempt < 100 && endlessState().cancelled === before; attempt++) await sleep(10)
        assert.equal(endlessState().cancelled, before + 1)
      })

      test('automatic OPTIONS: 204 with a sorted Allow', async () => {
        const response = await send('/dispatch/only-get', { method: 'OPTIONS' })
        assert.equal(response.status, 204)
        assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS')
        const all = await send('/dispatch/all-methods', { method: 'OPTIONS' })
        assert.equal(all.headers.get('allow'), 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT')
      })

      test('a method the file does not export → 405 with Allow', async () => {
        const response = await send('/dispatch/only-get', { method: 'POST', body: 'x' })
        assert.equal(response.status, 405)
        assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS')
      })

      test('a method outside the list → 400 (where the host routes it at all)', async () => {
        assert.equal((await send('/dispatch/all-methods', { method: 'PROPFIND' })).status, target.unknownMethodStatus ?? 400)
      })

      test('each exported method runs', async () => {
        for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
          assert.deepEqual(await json(await send('/dispatch/all-methods', { method })), { method })
        }
      })

      test('lowercase and default exports are not handlers', async () => {
        const get = await send('/dispatch/lowercase')
        assert.equal(get.status, 405)
        assert.equal(get.headers.get('allow'), 'OPTIONS, POST')
        assert.equal(await (await send('/dispatch/lowercase', { method: 'POST' })).text(), 'real handler')
      })
    })

    describe('bodies', () => {
      const post = (path: string, body: BodyInit, type?: string) =>
        send(path, { method: 'POST', body, headers: type ? { 'content-type': type } : {}, duplex: 'half' } as RequestInit)
      const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

      test('malformed JSON → 400', async () => {
        const response = await post('/bodies/json', '{"broken": ', 'application/json')
        assert.equal(response.status, 400)
        // JSON.parse's message, as under Next.js.
        assert.match(await response.text(), /JSON/)
      })

      test("json() still rejects with JSON.parse's SyntaxError, which carries status 400", async () => {
        const response = await post('/bodies/json-caught', 'nope', 'application/json')
        assert.deepEqual(await json(response), { isSyntaxError: true, message: parseFailure('nope'), status: 400 })
      })

      test('JSON over bodyLimit → 413, declared or streamed', async () => {
        const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) })
        const declared = await post('/bodies/json', big, 'application/json')
        assert.equal(declared.status, 413)
        assert.match(await declared.text(), /larger than the bodyLimit of 1048576 bytes/)
        const streamed = await post('/bodies/json', new Blob([big]).stream(), 'application/json')
        assert.equal(streamed.status, 413)
      })

      test('a body just under bodyLimit is read whole', async () => {
        const bytes = randomBytes(1024 * 1024 - 1)
        assert.deepEqual(await json(await post('/bodies/digest', bytes)), { size: bytes.byteLength, sha256: sha256(bytes) })
      })

      test('streaming request.body is not limited', async () => {
        const bytes = randomBytes(3 * 1024 * 1024)
        assert.deepEqual(await json(await post('/bodies/stream-digest', new Blob([bytes]).stream())), { size: bytes.byteLength, sha256: sha256(bytes) })
      })

      test('multipart with two files and fields round-trips exactly', async () => {
        const first = randomBytes(150_000)
        const second = new TextEncoder().encode('second file ✓')
        const form = new FormData()
        form.append('title', 'Report ✓')
        form.append('tags', 'a')
        form.append('tags', 'b')
        form.append('upload', new File([first], 'data.bin', { type: 'application/octet-stream' }))
        form.append('upload', new File([second], 'notes ✓.txt', { type: 'text/plain' }))
        assert.deepEqual(await json(await post('/bodies/form-digest', form)), {
          entries: [
            { name: 'title', value: 'Report ✓' },
            { name: 'tags', value: 'a' },
            { name: 'tags', value: 'b' },
            { name: 'upload', file: 'data.bin', type: 'application/octet-stream', size: first.byteLength, sha256: sha256(first) },
            { name: 'upload', file: 'notes ✓.txt', type: 'text/plain', size: second.byteLength, sha256: sha256(second) },
          ],
        })
      })

      test('formData() keeps wire order: a file part stays before the field after it (issue 10 #9)', async () => {
        // The first file is large enough to finish after the field that follows it on the wire.
        const big = randomBytes(150_000)
        const small = new TextEncoder().encode('small')
        const form = new FormData()
        form.append('first', new File([big], 'big.bin', { type: 'application/octet-stream' }))
        form.append('title', 'after the big file')
        form.append('second', new File([small], 'small.txt', { type: 'text/plain' }))
        form.append('tail', 'last')
        assert.deepEqual(await json(await post('/bodies/form-digest', form)), {
          entries: [
            { name: 'first', file: 'big.bin', type: 'application/octet-stream', size: big.byteLength, sha256: sha256(big) },
            { name: 'title', value: 'after the big file' },
            { name: 'second', file: 'small.txt', type: 'text/plain', size: small.byteLength, sha256: sha256(small) },
            { name: 'tail', value: 'last' },
          ],
        })
      })

      /** A form's entries as the fixture reports them, parsed here by undici: Next's `request.formData()`. */
      const undiciEntries = async (body: Uint8Array<ArrayBuffer>, type: string) => {
        const entries = []
        for (const [name, value] of await new Response(body, { headers: { 'content-type': type } }).formData()) {
          if (typeof value === 'string') entries.push({ name, value })
          else {
            const bytes = new Uint8Array(await value.arrayBuffer())
            entries.push({ name, file: value.name, type: value.type, size: value.size, sha256: sha256(bytes) })
          }
        }
        return { entries }
      }

      test('urlencoded: raw UTF-8 is text, not latin1 mojibake, as undici parses it (issue 10 #10)', async () => {
        const type = 'application/x-www-form-urlencoded'
        const body = Buffer.from('raw=ünï ✓&pct=%C3%BC&plus=a+b&bad=%zz&half=%C3&&empty&=x&c=1=2', 'utf8')
        const answer = await json(await post('/bodies/form-digest', body, type))
        assert.deepEqual((answer.entries as unknown[])[0], { name: 'raw', value: 'ünï ✓' })
        assert.deepEqual(answer, await undiciEntries(body, type))
        // A byte order mark is kept, a charset parameter ignored, invalid bytes replaced: as undici.
        const odd = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a=ünï&b=', 'utf8'), Buffer.from([0xff, 0xc3, 0x26, 0x63, 0x3d])])
        const latin1 = 'application/x-www-form-urlencoded; charset=iso-8859-1'
        assert.deepEqual(await json(await post('/bodies/form-digest', odd, latin1)), await undiciEntries(odd, latin1))
      })

      test('urlencoded: the fields, fieldSize and body limits still apply (413 naming the limit)', async () => {
        const type = 'application/x-www-form-urlencoded'
        const fields = await post('/bodies/form-digest', Array.from({ length: 11 }, (_, index) => `f${index}=x`).join('&'), type)
        assert.equal(fields.status, 413)
        assert.match(await fields.text(), /multipart\.fields\b/)
        const fieldSize = await post('/bodies/form-digest', `big=${'ü'.repeat(501)}`, type)
        assert.equal(fieldSize.status, 413)
        assert.match(await fieldSize.text(), /multipart\.fieldSize\b/)
        assert.equal((await post('/bodies/form-digest', `a=${'x'.repeat(1024 * 1024)}`, type)).status, 413)
      })

      test('multipart: raw UTF-8 field names, filenames and values decode as undici decodes them (issue 10 #10)', async () => {
        const boundary = 'utf8-boundary'
        const type = `multipart/form-data; boundary=${boundary}`
        const body = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="ünï ✓"\r\n\r\nvälue ✓\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="fïle"; filename="nötes ✓.txt"\r\nContent-Type: text/plain\r\n\r\nbytes ✓\r\n` +
            `--${boundary}--\r\n`,
          'utf8',
        )
        const answer = await json(await post('/bodies/form-digest', body, type))
        assert.deepEqual((answer.entries as { name: string }[]).map((entry) => entry.name), ['ünï ✓', 'fïle'])
        assert.deepEqual(answer, await undiciEntries(body, type))
      })

      test('multipart as browsers send it: an empty file input is a File named "", escaped quotes and newlines in names decode, as undici reads them', async () => {
        const boundary = 'browser-boundary'
        const type = `multipart/form-data; boundary=${boundary}`
        const body = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="say %22hi%22"\r\n\r\nx\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="two%0D%0Alines"\r\n\r\ny\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\nunnamed\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="doc"; filename="q%22.txt"\r\nContent-Type: text/plain\r\n\r\nhi\r\n` +
            `--${boundary}--\r\n`,
          'utf8',
        )
        const answer = await json(await post('/bodies/form-digest', body, type))
        const entries = answer.entries as { name: string; file?: string }[]
        assert.deepEqual(entries.map((entry) => entry.name), ['say "hi"', 'two\r\nlines', '', 'avatar', 'doc'])
        assert.deepEqual(entries.map((entry) => entry.file), [undefined, undefined, undefined, '', 'q".txt'])
        assert.deepEqual(answer, await undiciEntries(body, type))
      })

      const overLimit: Array<[limit: string, build: (form: FormData) => void]> = [
        ['files', (form) => { for (let index = 0; index < 4; index++) form.append('f', new File(['x'], `${index}.txt`)) }],
        ['fields', (form) => { for (let index = 0; index < 11; index++) form.append(`field${index}`, 'x') }],
        ['parts', (form) => {
          for (let index = 0; index < 10; index++) form.append(`field${index}`, 'x')
          for (let index = 0; index < 3; index++) form.append('f', new File(['x'], `${index}.txt`))
        }],
        ['fieldSize', (form) => form.append('big', 'x'.repeat(1001))],
        ['fileSize', (form) => form.append('big', new File([randomBytes(200_001)], 'big.bin'))],
      ]
      for (const [limit, build] of overLimit) {
        test(`multipart over its ${limit} limit → 413 naming it`, async () => {
          const form = new FormData()
          build(form)
          const response = await post('/bodies/form-digest', form)
          assert.equal(response.status, 413)
          assert.match(await response.text(), new RegExp(`multipart\\.${limit}\\b`))
        })
      }

      // busboy says its parts limit is hit once its count reaches it: a form of exactly 12 parts was 413.
      test('multipart exactly at its limits (parts, fields, files, fieldSize, fileSize) is read whole', async () => {
        const form = new FormData()
        form.append('big', 'x'.repeat(1000))
        for (let index = 1; index < 9; index++) form.append(`field${index}`, 'x')
        form.append('f', new File([randomBytes(200_000)], 'big.bin'))
        for (let index = 1; index < 3; index++) form.append('f', new File(['x'], `${index}.txt`))
        const response = await post('/bodies/form-digest', form)
        assert.equal(response.status, 200, await response.clone().text())
        assert.equal(((await json(response)).entries as unknown[]).length, 12)
      })

      // The messages are undici's, as under Next.js: a route that answers error.message answers the same (trial).
      test('malformed multipart → 400', async () => {
        const response = await post('/bodies/form-digest', '--nope\r\ngarbage', 'multipart/form-data; boundary=expected')
        assert.equal(response.status, 400)
        assert.equal(await response.text(), 'Failed to parse body as FormData.')
        const noBoundary = await post('/bodies/form-digest', 'x', 'multipart/form-data')
        assert.equal(noBoundary.status, 400)
        assert.equal(await noBoundary.text(), 'Failed to parse body as FormData.')
      })

      test('formData() on a JSON body → 415', async () => {
        const response = await post('/bodies/form-digest', '{}', 'application/json')
        assert.equal(response.status, 415)
        assert.equal(await response.text(), 'Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".')
      })
    })

    describe('results', () => {
      test('a handler that throws → 500 without its message', async () => {
        const response = await send('/dispatch/throws')
        assert.equal(response.status, 500)
        assert.doesNotMatch(await response.text(), /secret detail/)
      })

      test('a handler that returns no Response → 500', async () => {
        assert.equal((await send('/dispatch/returns-nothing')).status, 500)
        assert.equal((await send('/dispatch/returns-nothing', { method: 'POST' })).status, 500)
      })

      test('NextResponse.next() and rewrite() from a route handler → 500', async () => {
        assert.equal((await send('/dispatch/middleware-response')).status, 500)
        assert.equal((await send('/dispatch/middleware-response', { method: 'POST' })).status, 500)
      })

      for (const [kind, status] of [['not-found', 404], ['forbidden', 403], ['unauthorized', 401]] as const) {
        test(`${kind}() → ${status}, empty, without cookies()`, async () => {
          const response = await send(`/dispatch/fallbacks/${kind}`)
          assert.equal(response.status, status)
          assert.equal(await response.text(), '')
          assert.deepEqual(response.headers.getSetCookie(), [])
        })
      }

      test('redirect() keeps Location as given and carries cookies()', async () => {
        const response = await send('/dispatch/redirects')
        assert.equal(response.status, 307)
        assert.equal(response.headers.get('location'), '/new/place?x=1')
        assert.deepEqual(response.headers.getSetCookie(), ['flash=moved; Path=/'])
        assert.equal((await send('/dispatch/redirects?permanent')).status, 308)
      })

      test('redirect() after a form post → 303; after a JSON post → 307', async () => {
        // Exactly what a browser sends for a <form method="post">.
        const formType = { 'content-type': 'application/x-www-form-urlencoded' }
        const form = await send('/dispatch/redirects', { method: 'POST', body: 'a=1', headers: formType })
        assert.equal(form.status, 303)
        assert.equal(form.headers.get('location'), '/after-post')
        const multipart = await send('/dispatch/redirects', { method: 'POST', body: new FormData() })
        assert.equal(multipart.status, 303)
        const jsonPost = await send('/dispatch/redirects', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
        assert.equal(jsonPost.status, 307)
      })

      test('cookies() changes merge into the response: one Set-Cookie per name, the Response wins', async () => {
        const response = await send('/dispatch/cookie-merge')
        assert.deepEqual(await json(response), { seen: 'two words' })
        assert.deepEqual(response.headers.getSetCookie().sort(), [
          'a=from-response; Path=/',
          'b=two%20words; Path=/',
          'c=3; Path=/c; HttpOnly',
          'gone=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
        ])
      })

      test("cookies() never stick to a Response object the handler returns again (a module-level one)", async () => {
        const first = await send('/dispatch/shared-response?user=ada')
        assert.equal(first.status, 204)
        assert.deepEqual(first.headers.getSetCookie(), ['session=ada; Path=/'])
        const second = await send('/dispatch/shared-response')
        assert.equal(second.headers.get('x-shared'), 'yes')
        assert.deepEqual(second.headers.getSetCookie(), [])
      })

      test('x-middleware-* headers never reach the client', async () => {
        const response = await send('/dispatch/internal-headers')
        assert.equal(response.headers.get('x-kept'), 'yes')
        assert.deepEqual([...response.headers.keys()].filter((name) => name.startsWith('x-middleware-')), [])
      })

      test('text whose Content-Type the handler deleted goes out without one, also once cookies() set a cookie', async () => {
        for (const query of ['', '?cookie']) {
          const response = await send(`/dispatch/untyped-text${query}`)
          assert.equal(response.headers.get('content-type'), null, query)
          assert.equal(await response.text(), 'plain-body', query)
        }
      })

      test('bytes without a Content-Type go out without one, as Next.js sends them, with their length', async () => {
        for (const as of ['uint8array', 'array-buffer', 'stream']) {
          const response = await send(`/dispatch/untyped-bytes?as=${as}`)
          assert.equal(response.headers.get('content-type'), null, as)
          // Over HTTP; the core's own Response says nothing of its length.
          if ('port' in target) assert.equal(response.headers.get('content-length'), '4', as)
          assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array([0, 1, 2, 255]), as)
        }
      })

      test('status and statusText are kept; 204/205/304 carry no body', async () => {
        const created = await send('/dispatch/status/201')
        assert.equal(created.status, 201)
        assert.equal(created.statusText, 'Custom Text')
        assert.equal(await created.text(), 'status 201')
        for (const status of [204, 205, 304]) {
          const response = await send(`/dispatch/status/${status}`)
          assert.equal(response.status, status)
          assert.equal(await response.text(), '')
        }
      })

      test('the request is a real Request and NextRequest', async () => {
        const body = await json(await send('/dispatch/request-object', { method: 'POST', body: 'hello' }))
        assert.deepEqual(body, { isRequest: true, isNextRequest: true, text: 'hello', inspected: 'string', signalAborted: false })
      })

      test('the request copies as real route files copy it: new Request(), new NextRequest(), a subclass, fetch(), inspect()', async () => {
        const copy = (kind: string) =>
          send(`/dispatch/request-copies?kind=${kind}`, { method: 'POST', body: 'hello', headers: { 'x-test': kind, cookie: 'session=abc' } }).then(json)
        const kept = (kind: string) => ({ method: 'POST', sameUrl: true, test: kind, cookie: 'session=abc', text: 'hello' })
        assert.deepEqual(await copy('request'), { ...kept('request'), cookie: null, sameConstructor: true })
        assert.deepEqual(await copy('next-request'), { ...kept('next-request'), q: 'next-request' })
        assert.deepEqual(await copy('next-auth'), { ...kept('next-auth'), session: 'abc' })
        assert.deepEqual(await copy('subclass'), { ...kept('subclass'), tag: 'tagged', isTagged: true, isRequest: true })
        // fetch() sends the copy to the request's own URL: only a host on a socket answers it.
        if ('port' in target) assert.deepEqual(await copy('fetch'), { forwarded: kept('fetch') })
        const inspected = (await copy('inspect')) as { inspected: string; text: string }
        assert.match(inspected.inspected, /method: 'POST'/)
        assert.match(inspected.inspected, /isReloadNavigation: false/)
        assert.equal(inspected.text, 'hello')
        assert.deepEqual(await copy('getters'), { failing: [], text: 'hello' })
        assert.deepEqual(await copy('read-then-copy'), { text: 'hello', request: 'TypeError', clone: 'TypeError', fetched: 'TypeError', bodyUsed: true })
      })

      test('a normal POST never aborts request.signal', async () => {
        const state = ((globalThis as Record<string, unknown>).__signal ??= { checks: [] }) as { checks: boolean[] }
        const before = state.checks.length
        const response = await send('/dispatch/signal', { method: 'POST', body: 'x'.repeat(100_000) })
        assert.equal(await response.text(), 'read 100000 bytes')
        for (let attempt = 0; attempt < 100 && state.checks.length === before; attempt++) await sleep(10)
        assert.deepEqual(state.checks.slice(before), [false])
      })

      test('a Response from another fetch implementation is accepted by its shape', async () => {
        const response = await send('/dispatch/foreign-response')
        assert.equal(response.status, 202)
        assert.equal(response.headers.get('x-foreign'), 'yes')
        assert.equal(await response.text(), 'foreign body')
      })
    })
  })
}
