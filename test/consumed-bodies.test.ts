/**
 * Bodies an Express parser already read before the route handlers ran (issue: "Bodies already
 * consumed"), rebuilt for the handler — or, where they cannot be, a clear error.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import multer from 'multer'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { routeHandlers } from '../adapters/express.ts'
import { APP_DIR, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex')

/** An app with `parser` installed globally before the route handlers, recording errors. */
function appWith(parser: RequestHandler): { target: () => SocketTarget; errors: Array<{ code?: string; message: string }>; warnings: string[] } {
  let target: SocketTarget
  const errors: Array<{ code?: string; message: string }> = []
  const warnings: string[] = []
  before(async () => {
    const app = express()
    app.use(parser)
    app.use(await routeHandlers({ dir: APP_DIR, logger: { ...quietLogger, warn: (message: string) => void warnings.push(message) } }).ready())
    const recorder: ErrorRequestHandler = (error, _req, res, _next) => {
      errors.push(error)
      res.status(error.status ?? 500).send(error.message)
    }
    app.use(recorder)
    target = await listen(app)
  })
  after(() => target.close())
  return { target: () => target, errors, warnings }
}

const post = (target: SocketTarget, path: string, body: BodyInit, headers: Record<string, string>) =>
  target.send(path, { method: 'POST', body, headers })

describe('express.json() before the route handlers', () => {
  const app = appWith(express.json())
  test('the handler still reads the JSON', async () => {
    const response = await post(app.target(), '/bodies/json', '{"a": [1, 2]}', { 'content-type': 'application/json' })
    assert.deepEqual(await response.json(), { received: { a: [1, 2] } })
  })
  test('a gzip-encoded JSON body: the handler gets the plain JSON', async () => {
    const response = await post(app.target(), '/bodies/json', gzipSync('{"zipped":true}'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    assert.deepEqual(await response.json(), { received: { zipped: true } })
  })
  test('an empty JSON body stays empty, not the `{}` the parser makes of it (trial)', async () => {
    const response = await post(app.target(), '/bodies/digest', '', { 'content-type': 'application/json' })
    assert.deepEqual(await response.json(), { size: 0, sha256: sha256('') })
  })
  test('a body the parser skipped (not JSON) is read from the stream as usual', async () => {
    const response = await post(app.target(), '/bodies/digest', 'plain bytes', { 'content-type': 'application/octet-stream' })
    assert.deepEqual(await response.json(), { size: 11, sha256: sha256('plain bytes') })
  })
  // Trial: a Stripe webhook route (`await req.text()`, then constructEvent) answered 400 for every
  // event, the signature computed over the parsed JSON serialized again, with nothing said.
  test('read as bytes, the rebuilt JSON is not the bytes the client sent, and a warning says so, once', async () => {
    assert.deepEqual(app.warnings, [], 'json() of a rebuilt body says nothing')
    const sent = '{ "id": "evt_1", "type": "charge.succeeded" }'
    const first = await post(app.target(), '/bodies/digest', sent, { 'content-type': 'application/json' })
    assert.notEqual((await first.json()).sha256, sha256(sent))
    await post(app.target(), '/bodies/digest', sent, { 'content-type': 'application/json' })
    assert.equal(app.warnings.length, 1)
    assert.match(app.warnings[0]!, /POST \/bodies\/digest read its body as text or bytes after the app's body parser[^]*req\.rawBody = buf/)
  })
})

// Trial: the error named express.text(), from the content type, where express.json() had read it.
describe("express.json({ type: '*/*' }) parsing a text/plain body", () => {
  const app = appWith(express.json({ type: '*/*' }))
  test('cannot be rebuilt as text: the error names a parser whose type option took the body, not express.text()', async () => {
    const response = await post(app.target(), '/bodies/digest', '{"a":1}', { 'content-type': 'text/plain' })
    assert.equal(response.status, 500)
    const error = app.errors.at(-1)!
    assert.equal(error.code, 'RH_ERR_BODY_CONSUMED')
    assert.match(error.message, /already read by a body parser that took this text\/plain body for JSON or a form \(a type option such as express\.json\(\{ type: '\*\/\*' \}\)\)/)
  })
})

describe("express.json({ verify }) keeping req.rawBody", () => {
  const app = appWith(express.json({ verify: (req, _res, buffer) => void ((req as { rawBody?: Buffer }).rawBody = buffer) }))
  test('the handler gets the exact bytes, and no warning', async () => {
    const text = '{ "spaced" :  true }'
    const response = await post(app.target(), '/bodies/digest', text, { 'content-type': 'application/json' })
    assert.deepEqual(await response.json(), { size: text.length, sha256: sha256(text) })
    assert.deepEqual(app.warnings, [])
  })
})

describe('express.urlencoded() before the route handlers', () => {
  const app = appWith(express.urlencoded())
  test('formData() sees the fields, and no warning (the form is parsed, not read as bytes)', async () => {
    const response = await post(app.target(), '/form', 'name=Ada&email=ada%40example.com', { 'content-type': 'application/x-www-form-urlencoded' })
    assert.deepEqual(await response.json(), { name: 'Ada', email: 'ada@example.com', file: null })
    assert.deepEqual(app.warnings, [])
  })
})

// Trial: `tags[]=a&tags[]=b&k=1&x=2&k=3` came to formData() as tags, tags, k, k, x, with nothing said.
describe('express.urlencoded({ extended: true }) with repeated and bracketed names', () => {
  const app = appWith(express.urlencoded({ extended: true }))
  const sent = 'tags[]=a&tags[]=b&k=1&x=2&k=3'
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  test('a flat form with one value per name is rebuilt as sent, with no warning', async () => {
    const response = await post(app.target(), '/bodies/form-digest', 'b=1&a=2', form)
    assert.deepEqual(await response.json(), { entries: [{ name: 'b', value: '1' }, { name: 'a', value: '2' }] })
    assert.deepEqual(app.warnings, [])
  })
  test('formData() gets the fields as the parser kept them, and a warning says what changed and how to get them as sent, once', async () => {
    const first = await post(app.target(), '/bodies/form-digest', sent, form)
    assert.deepEqual((await first.json()).entries.map(({ name }: { name: string }) => name), ['tags', 'tags', 'k', 'k', 'x'])
    await post(app.target(), '/bodies/form-digest', '2=y&a=z', form)
    assert.equal(app.warnings.length, 1)
    assert.match(app.warnings[0]!, /POST \/bodies\/form-digest read a form that the app's express\.urlencoded\(\) had parsed[^]*lose their brackets[^]*req\.rawBody = buf/)
  })

})

describe('express.urlencoded() and a ten-digit numeric name', () => {
  const app = appWith(express.urlencoded())
  test('one an object lists first (any integer below 2^32 - 1): the form is regrouped, and the warning says so', async () => {
    const response = await post(app.target(), '/bodies/form-digest', 'b=1&1000000000=x', { 'content-type': 'application/x-www-form-urlencoded' })
    assert.deepEqual((await response.json()).entries.map(({ name }: { name: string }) => name), ['1000000000', 'b'])
    assert.equal(app.warnings.length, 1)
    assert.match(app.warnings[0]!, /read a form that the app's express\.urlencoded\(\) had parsed/)
  })
})

describe('express.urlencoded({ verify }) keeping req.rawBody', () => {
  const app = appWith(express.urlencoded({ extended: true, verify: (req, _res, buffer) => void ((req as { rawBody?: Buffer }).rawBody = buffer) }))
  test('formData() gets every field as sent, in order, and no warning', async () => {
    const response = await post(app.target(), '/bodies/form-digest', 'tags[]=a&tags[]=b&k=1&x=2&k=3', { 'content-type': 'application/x-www-form-urlencoded' })
    const names = (await response.json()).entries.map(({ name }: { name: string }) => name)
    assert.deepEqual(names, ['tags[]', 'tags[]', 'k', 'x', 'k'])
    assert.deepEqual(app.warnings, [])
  })
})

describe('express.urlencoded({ extended: true }) with nested fields', () => {
  const app = appWith(express.urlencoded({ extended: true }))
  test('cannot be rebuilt: a clear error naming the parser and the fix', async () => {
    const response = await post(app.target(), '/form', 'user[name]=Ada', { 'content-type': 'application/x-www-form-urlencoded' })
    assert.equal(response.status, 500)
    const error = app.errors.at(-1)!
    assert.equal(error.code, 'RH_ERR_BODY_CONSUMED')
    assert.match(error.message, /express\.urlencoded\(\{ extended: true \}\)/)
    assert.match(error.message, /Mount route handlers before the body parsers/)
  })
})

describe('express.text() and express.raw() before the route handlers', () => {
  const text = appWith(express.text())
  const raw = appWith(express.raw())
  test('text: same bytes', async () => {
    const response = await post(text.target(), '/bodies/digest', 'some text ✓', { 'content-type': 'text/plain' })
    assert.deepEqual(await response.json(), { size: Buffer.byteLength('some text ✓'), sha256: sha256('some text ✓') })
  })
  test('raw: same bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251])
    const response = await post(raw.target(), '/bodies/digest', bytes, { 'content-type': 'application/octet-stream' })
    assert.deepEqual(await response.json(), { size: 5, sha256: sha256(bytes) })
  })
})

// Trial: a legacy catch-all text parser decoded an upload as UTF-8, and the file reached
// formData() changed (3,000,000 bytes became 5,439,611), with nothing said.
describe("a catch-all express.text({ type: '*/*' }) before the route handlers", () => {
  const app = appWith(express.text({ type: '*/*' }))
  test('a binary upload it decoded cannot come back: a clear error, not a changed file', async () => {
    const form = new FormData()
    form.append('file', new Blob([randomBytes(4096)]), 'upload.bin')
    const response = await app.target().send('/form', { method: 'POST', body: form })
    assert.equal(response.status, 500)
    const error = app.errors.at(-1)!
    assert.equal(error.code, 'RH_ERR_BODY_CONSUMED')
    assert.match(error.message, /already read by express\.text\(\), which decoded this multipart\/form-data body as text, and cannot be rebuilt/)
  })
  test('text in the charset it names comes back as the bytes sent (Latin-1; UTF-8 above)', async () => {
    const bytes = Buffer.from('café', 'latin1')
    const response = await post(app.target(), '/bodies/digest', bytes, { 'content-type': 'text/plain; charset=iso-8859-1' })
    assert.deepEqual(await response.json(), { size: 4, sha256: sha256(bytes) })
  })
})

// Trial: a webhook signed over a body starting with a byte order mark failed its check with
// nothing said: body-parser drops the mark, and replaces bytes that are not UTF-8.
describe('express.text() changing UTF-8 text as it decodes it', () => {
  const chunked = (bytes: Uint8Array) => new ReadableStream({ start: (controller) => (controller.enqueue(bytes), controller.close()) })
  const cases: [string, Uint8Array, boolean][] = [
    ['a byte order mark', Buffer.from('\uFEFF{"a":1}\r\n'), false],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false],
    ['bytes that are not UTF-8, sent chunked', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), true],
  ]
  for (const [what, bytes, streamed] of cases) {
    const app = appWith(express.text({ type: 'application/json' }))
    test(`${what}: read as bytes, the handler gets other bytes, and a warning says so`, async () => {
      const body = streamed ? chunked(bytes) : bytes
      const response = await app.target().send('/bodies/digest', { method: 'POST', body, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit)
      assert.notEqual((await response.json()).sha256, sha256(bytes))
      assert.equal(app.warnings.length, 1)
      assert.match(app.warnings[0]!, /read its body as text or bytes after the app's body parser \(express\.json\(\), express\.urlencoded\(\), express\.text\(\)\)/)
    })
  }
  const app = appWith(express.text({ type: 'application/json' }))
  test('text it did not change: the bytes sent, and no warning', async () => {
    const bytes = Buffer.from('{"a":"\uFFFD ✓"}')
    const response = await post(app.target(), '/bodies/digest', bytes, { 'content-type': 'application/json' })
    assert.deepEqual(await response.json(), { size: bytes.byteLength, sha256: sha256(bytes) })
    assert.deepEqual(app.warnings, [])
  })
})

describe('multer before the route handlers', () => {
  const app = appWith(multer().any())
  test('multipart cannot be rebuilt: a clear error naming multer and the fix', async () => {
    const form = new FormData()
    form.append('name', 'Ada')
    const response = await app.target().send('/form', { method: 'POST', body: form })
    assert.equal(response.status, 500)
    const error = app.errors.at(-1)!
    assert.equal(error.code, 'RH_ERR_BODY_CONSUMED')
    assert.match(error.message, /multer/)
    assert.match(error.message, /Mount route handlers before the body parsers/)
  })
})

// A middleware that listens to the body without reading it for the app (a byte counter), before
// the route handlers: the stream flows from then on, and a handler that reads after an await got
// only what came after it. Fastify's preParsing case is in fastify.test.ts.
describe('a middleware listening to the body before the route handlers', () => {
  const dir = tempRouteFolder({
    'late-digest/route.ts': [
      "import { createHash } from 'node:crypto'",
      'export async function POST(request: Request) {',
      '  await new Promise((resolve) => setTimeout(resolve, 20))',
      '  const bytes = new Uint8Array(await request.arrayBuffer())',
      "  return Response.json({ size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') })",
      '}',
      '',
    ].join('\n'),
  })
  let target: SocketTarget
  const counted: number[] = []
  before(async () => {
    const app = express()
    app.use((req, _res, next) => {
      let size = 0
      req.on('data', (chunk: Buffer) => (size += chunk.length))
      req.on('end', () => counted.push(size))
      next()
    })
    app.use(await routeHandlers({ dir, logger: quietLogger }).ready())
    target = await listen(app)
  })
  after(() => target.close())

  for (const size of [1000, 64 * 1024, 300 * 1024]) {
    test(`${size} bytes reach a handler that reads late, and the middleware counts them all`, async () => {
      const body = randomBytes(size)
      const response = await post(target, '/late-digest', body, { 'content-type': 'application/octet-stream' })
      assert.deepEqual(await response.json(), { size, sha256: sha256(body) })
      assert.equal(counted.at(-1), size)
    })
  }
})
