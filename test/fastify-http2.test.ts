/**
 * Fastify with `http2: true` (trial): Node's HTTP/2 response has no `destroyed`, and reports
 * `writableFinished` once the client has reset its stream, so a client that left looked like one
 * that had its answer: `request.signal` never aborted (an AI SDK stream generated to its end for
 * nobody), and a status text made Node warn on every response. Review: it has no `closed` either
 * (an `after()` made once the client had left never ran, and `app.close()` waited for it), its
 * `socket` is a proxy without `destroySoon` (a stalled upload threw an uncaught exception), and a
 * stream destroyed without an error code tells the client its cut body is complete.
 */
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { connect, constants, type ClientHttp2Session } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { eventually } from './helpers/http.ts'
import { quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

interface Seen {
  aborted?: boolean
  cancelled?: boolean
  signal?: AbortSignal
  afterRan?: boolean
}
const seen = ((globalThis as { __http2Seen?: Record<string, Seen> }).__http2Seen ??= {})

const dir = tempRouteFolder({
  // One event, then nothing until the client leaves.
  'events/route.ts': `
const seen = (globalThis as { __http2Seen?: Record<string, { aborted?: boolean; cancelled?: boolean }> }).__http2Seen!
export function GET(request: Request) {
  const entry = (seen.events = {})
  request.signal.addEventListener('abort', () => (entry.aborted = true))
  return new Response(
    new ReadableStream({
      start: (controller) => controller.enqueue(new TextEncoder().encode('data: 1\\n\\n')),
      pull: () => new Promise(() => {}),
      cancel: () => void (entry.cancelled = true),
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  )
}
`,
  'whole/route.ts': `
const seen = (globalThis as { __http2Seen?: Record<string, { signal?: AbortSignal }> }).__http2Seen!
export function GET(request: Request) {
  seen.whole = { signal: request.signal }
  return new Response('whole answer', { status: 200, statusText: 'Fine' })
}
`,
  // Streams its upload back as it comes: the answer has started before the body has ended.
  'echo/route.ts': `export function POST(request: Request) { return new Response(request.body!.pipeThrough(new TransformStream()), { headers: { 'content-type': 'text/plain' } }) }\n`,
  'text/route.ts': `export async function POST(request: Request) { return new Response(await request.text()) }\n`,
  'slow/route.ts': `
import { after } from 'next/server'
const seen = (globalThis as { __http2Seen?: Record<string, { afterRan?: boolean }> }).__http2Seen!
export async function GET() {
  const entry = (seen.slow = {})
  // Outlasts the client.
  await new Promise((resolve) => setTimeout(resolve, 300))
  after(() => void (entry.afterRan = true))
  return new Response('done')
}
`,
  // Three chunks, then the upstream behind the stream fails.
  'fails/route.ts': `
export function GET() {
  let index = 0
  return new Response(new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (index++ < 3) return controller.enqueue(new TextEncoder().encode('chunk ' + index + '\\n'))
      controller.error(new Error('the upstream broke'))
    },
  }), { headers: { 'content-type': 'text/plain' } })
}
`,
})

let app: ReturnType<typeof Fastify>
let session: ClientHttp2Session
const warnings: Error[] = []
const onWarning = (warning: Error) => void warnings.push(warning)

before(async () => {
  process.on('warning', onWarning)
  app = Fastify({ http2: true })
  await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger, bodyTimeout: 200 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  session = connect(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
})
after(async () => {
  process.off('warning', onWarning)
  session.close()
  await app.close()
})

test('a client that resets its stream mid-response aborts request.signal and cancels the body', async () => {
  const stream = session.request({ ':path': '/api/events' })
  await new Promise((resolve) => stream.once('data', resolve))
  stream.close(constants.NGHTTP2_CANCEL)
  assert.ok(await eventually(() => seen.events?.cancelled === true), 'the body was not cancelled')
  assert.ok(await eventually(() => seen.events?.aborted === true), 'request.signal did not abort')
})

test('a whole answer leaves request.signal alone, and its status text draws no warning', async () => {
  const stream = session.request({ ':path': '/api/whole' })
  let body = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => (body += chunk))
  const [headers] = await Promise.all([new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve)), new Promise((resolve) => stream.once('close', resolve))])
  assert.equal(headers[':status'], 200)
  assert.equal(body, 'whole answer')
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(seen.whole?.signal?.aborted, false)
  assert.deepEqual(warnings.map((warning) => warning.message), [])
})

test('an upload that stalls under a streamed answer closes its stream alone: no uncaught exception, the session goes on', async () => {
  const uncaught: Error[] = []
  const onUncaught = (error: Error) => void uncaught.push(error)
  process.prependListener('uncaughtException', onUncaught)
  try {
    const upload = session.request({ ':path': '/api/echo', ':method': 'POST', 'content-type': 'text/plain' })
    upload.on('error', () => {})
    upload.resume()
    upload.write('the first part, then the client stalls')
    // bodyTimeout (200 ms) ends it.
    await new Promise((resolve) => upload.once('close', resolve))
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(uncaught.map((error) => error.message), [])
    const next = session.request({ ':path': '/api/whole' })
    let body = ''
    next.setEncoding('utf8')
    next.on('data', (chunk: string) => (body += chunk))
    await new Promise((resolve) => next.once('close', resolve))
    assert.equal(body, 'whole answer')
  } finally {
    process.off('uncaughtException', onUncaught)
  }
})

test('an upload that stalls before the answer gets its 408, then its stream closes', async () => {
  const upload = session.request({ ':path': '/api/text', ':method': 'POST', 'content-type': 'text/plain' })
  upload.on('error', () => {})
  upload.resume()
  upload.write('the first part, then the client stalls')
  const [headers] = await Promise.all([new Promise<Record<string, unknown>>((resolve) => upload.once('response', resolve)), new Promise((resolve) => upload.once('close', resolve))])
  assert.equal(headers[':status'], 408)
})

test('after() called once the client has reset its stream still runs', async () => {
  const stream = session.request({ ':path': '/api/slow' })
  stream.on('error', () => {})
  assert.ok(await eventually(() => seen.slow !== undefined), 'the handler did not start')
  stream.close(constants.NGHTTP2_CANCEL)
  assert.ok(await eventually(() => seen.slow?.afterRan === true), 'the after() callback never ran')
})

test('a body that fails mid-stream resets the stream with an error code: a truncated body does not look complete', async () => {
  const stream = session.request({ ':path': '/api/fails' })
  stream.on('error', () => {})
  let body = ''
  let ended = false
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => (body += chunk))
  stream.on('end', () => (ended = true))
  await new Promise((resolve) => stream.once('close', resolve))
  assert.equal(body, 'chunk 1\nchunk 2\nchunk 3\n')
  assert.equal(stream.rstCode, constants.NGHTTP2_INTERNAL_ERROR)
  assert.equal(ended, false)
})
