/**
 * Fastify with `http2: true` (trial): Node's HTTP/2 response has no `destroyed`, and reports
 * `writableFinished` once the client has reset its stream, so a client that left looked like one
 * that had its answer: `request.signal` never aborted (an AI SDK stream generated to its end for
 * nobody), and a status text made Node warn on every response.
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
})

let app: ReturnType<typeof Fastify>
let session: ClientHttp2Session
const warnings: Error[] = []
const onWarning = (warning: Error) => void warnings.push(warning)

before(async () => {
  process.on('warning', onWarning)
  app = Fastify({ http2: true })
  await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
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
