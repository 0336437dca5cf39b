/**
 * A route file's streamed body under Fastify's own reply machinery. The plugin hands Fastify a Node
 * stream that writes itself into the response when Fastify pipes it there untouched (a 1 GiB
 * download's rate, issue 13); whatever else reads it goes the Readable way. Each case here is one
 * an app's hooks make: a hook that listens to the payload's data, one that replaces it with its
 * own stream, one that starts reading it later, `@fastify/compress`, a trailer, an `onResponse`
 * hook, and `compression` on the raw response; every byte must arrive, as it is made, and the
 * stream must end as a piped one does. A client that leaves a compressed stream is no failure.
 */
import fastifyCompress from '@fastify/compress'
import compression from 'compression'
import Fastify, { type FastifyInstance } from 'fastify'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { PassThrough, type Readable } from 'node:stream'
import { constants as zlibConstants } from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { eventually } from './helpers/http.ts'
import { fastifyListening, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const CHUNKS = 40
const CHUNK_SIZE = 16 * 1024

// CHUNKS chunks, each of its own pull a turn apart (the body is streamed, not complete at once),
// chunk i made of the digit i % 10; the status ?status= asks for and a header of the route's own.
const dir = tempRouteFolder({
  'chunks/route.ts': `
export function GET(request: Request) {
  let index = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve))
      if (index === ${CHUNKS}) return controller.close()
      controller.enqueue(new TextEncoder().encode(String(index % 10).repeat(${CHUNK_SIZE})))
      index++
    },
  })
  return new Response(body, { status: Number(new URL(request.url).searchParams.get('status') ?? 200), headers: { 'content-type': 'text/plain', 'x-route': 'chunks' } })
}
`,
})

// Two events, the second only once the test opens the gate of the request's ?id=.
const gates = ((globalThis as { __streamGates?: Map<string, { opened: Promise<void>; open(): void }> }).__streamGates ??= new Map())
function gate(id: string): { opened: Promise<void>; open(): void } {
  let open = () => {}
  const opened = new Promise<void>((resolve) => (open = resolve))
  gates.set(id, { opened, open })
  return { opened, open }
}
// One event, then nothing until cancelled (noted under ?id=).
const cancelled = ((globalThis as { __streamCancels?: Set<string> }).__streamCancels ??= new Set())
const gatedDir = tempRouteFolder({
  'gated/route.ts': `
export function GET(request: Request) {
  const gate = (globalThis as { __streamGates?: Map<string, { opened: Promise<void> }> }).__streamGates!.get(new URL(request.url).searchParams.get('id') ?? '')!
  let index = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index === 1) await gate.opened
      if (index === 2) return controller.close()
      controller.enqueue(new TextEncoder().encode('data: ' + index + '\\n\\n'))
      index++
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
}
`,
  'endless/route.ts': `
export function GET(request: Request) {
  const id = new URL(request.url).searchParams.get('id') ?? ''
  return new Response(
    new ReadableStream({
      // Longer than the 10 bytes @fastify/compress peeks at before it starts.
      start: (controller) => controller.enqueue(new TextEncoder().encode('data: the first event\\n\\n')),
      pull: () => new Promise(() => {}),
      cancel: () => void (globalThis as { __streamCancels?: Set<string> }).__streamCancels!.add(id),
    }),
    { headers: { 'content-type': 'text/plain' } },
  )
}
`,
})

const expected = Array.from({ length: CHUNKS }, (_, index) => String(index % 10).repeat(CHUNK_SIZE)).join('')

/** Everything the server sends for one raw GET on a connection it closes. */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`))
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(received))
  })
}

/** A chunked HTTP/1.1 body decoded, and what follows its last chunk (the trailers). */
function dechunked(message: string): { body: string; trailers: string } {
  let rest = message.slice(message.indexOf('\r\n\r\n') + 4)
  let body = ''
  for (;;) {
    const lineEnd = rest.indexOf('\r\n')
    const size = parseInt(rest.slice(0, lineEnd), 16)
    rest = rest.slice(lineEnd + 2)
    if (size === 0) return { body, trailers: rest }
    body += rest.slice(0, size)
    rest = rest.slice(size + 2)
  }
}

describe('Fastify: a streamed route body under the app’s hooks', () => {
  let server: SocketTarget
  const seen: { dataBytes: number; ended: boolean; closed: boolean; responseStatus?: number } = { dataBytes: 0, ended: false, closed: false }
  before(async () => {
    const app: FastifyInstance = Fastify()
    await app.register(fastifyCompress, { threshold: 0 })
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.includes('trailer=1')) reply.trailer('x-done', async () => 'yes')
    })
    app.addHook('onSend', async (request, _reply, payload) => {
      const stream = payload as Readable
      if (request.url.includes('listen=1')) stream.on('data', (chunk: Buffer) => (seen.dataBytes += chunk.byteLength))
      if (request.url.includes('late=1')) setImmediate(() => stream.on('data', () => {}))
      if (request.url.includes('watch=1')) {
        stream.on('end', () => (seen.ended = true))
        stream.on('close', () => (seen.closed = true))
      }
      return request.url.includes('replace=1') ? stream.pipe(new PassThrough()) : payload
    })
    app.addHook('onResponse', async (request, reply) => {
      if (request.url.includes('watch=1')) seen.responseStatus = reply.statusCode
    })
    await app.register(routeHandlersPlugin, { dir, prefix: '/api', logger: quietLogger })
    server = await fastifyListening(app)
  })
  after(() => server.close())

  const identity = { headers: { 'accept-encoding': 'identity' } }

  test('piped untouched: every byte, the route’s status and headers; the stream ends and closes as a piped one, then onResponse runs', async () => {
    const response = await server.send('/api/chunks?watch=1&status=206', identity)
    assert.equal(response.status, 206)
    assert.equal(response.headers.get('x-route'), 'chunks')
    assert.equal(await response.text(), expected)
    await eventually(() => seen.responseStatus !== undefined)
    assert.deepEqual({ ended: seen.ended, closed: seen.closed, responseStatus: seen.responseStatus }, { ended: true, closed: true, responseStatus: 206 })
  })

  test('a hook listening to the payload’s data sees every byte, and so does the client', async () => {
    seen.dataBytes = 0
    const response = await server.send('/api/chunks?listen=1', identity)
    assert.equal(await response.text(), expected)
    assert.equal(seen.dataBytes, expected.length)
  })

  // Review: a reader that came after Fastify had piped the stream took every other chunk from the client.
  test('a hook that starts reading the payload later takes nothing from the client', async () => {
    const response = await server.send('/api/chunks?late=1', identity)
    assert.equal(await response.text(), expected)
  })

  test('a hook that replaces the payload with its own stream sends every byte', async () => {
    const response = await server.send('/api/chunks?replace=1', identity)
    assert.equal(response.status, 200)
    assert.equal(await response.text(), expected)
  })

  test('@fastify/compress gzips the streamed body; it inflates to every byte', async () => {
    const response = await server.send('/api/chunks', { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(response.headers.get('content-encoding'), 'gzip')
    assert.equal(await response.text(), expected)
  })

  test('a trailer an app hook set is sent after the whole body', async () => {
    const message = await rawGet(server.port, '/api/chunks?trailer=1')
    assert.match(message, /^HTTP\/1\.1 200 /)
    const { body, trailers } = dechunked(message)
    assert.equal(body, expected)
    assert.match(trailers, /^x-done: yes\r\n/i)
  })
})

// `compression` run on the raw response, as @fastify/middie runs it: it keeps what it is given
// in zlib's buffer until flushed, so an event stream's first event would wait for the last.
describe('Fastify: a streamed route body under `compression` on the raw response', () => {
  let server: SocketTarget
  before(async () => {
    const app = Fastify()
    const compress = compression({ threshold: 0 })
    app.addHook('onRequest', (request, reply, done) => compress(request.raw as never, reply.raw as never, done))
    // A hook that listens to the payload's data: the stream then goes out through a Readable's pipe.
    app.addHook('onSend', async (request, _reply, payload) => {
      if (request.url.includes('listen=1')) (payload as Readable).on('data', () => {})
      return payload
    })
    await app.register(routeHandlersPlugin, { dir: gatedDir, prefix: '/api', logger: quietLogger })
    server = await fastifyListening(app)
  })
  after(() => server.close())

  for (const [how, query] of [
    ['written by the stream itself', ''],
    ['piped, a hook listening to its data', '&listen=1'],
  ] as const) {
    test(`each chunk is flushed (${how}): the first event arrives before the second is made`, async () => {
      const id = `flush${query}`
      const { open } = gate(id)
      const response = await server.send(`/api/gated?id=${id}${query}`, { headers: { 'accept-encoding': 'gzip' } })
      assert.equal(response.headers.get('content-encoding'), 'gzip')
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
      let timer: NodeJS.Timeout | undefined
      const giveUp = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('no first event within 5 s: it waits in zlib')), 5000)))
      try {
        assert.deepEqual(await Promise.race([reader.read(), giveUp]), { done: false, value: 'data: 0\n\n' })
      } finally {
        clearTimeout(timer)
        open()
      }
      let rest = ''
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += chunk.value
      assert.equal(rest, 'data: 1\n\n')
    })
  }
})

// An app without a logger of its own: the plugin's logger hears of streams that fail once sent.
describe('Fastify without a logger, under @fastify/compress: a client that leaves mid-stream', () => {
  let server: SocketTarget
  const errors: unknown[] = []
  before(async () => {
    const app = Fastify()
    await app.register(fastifyCompress, { threshold: 0, zlibOptions: { flush: zlibConstants.Z_SYNC_FLUSH } })
    await app.register(routeHandlersPlugin, { dir: gatedDir, prefix: '/api', logger: { warn() {}, error: (_message, error) => void errors.push(error) } })
    server = await fastifyListening(app)
  })
  after(() => server.close())

  // Trial: each such client logged ERR_STREAM_PREMATURE_CLOSE with a stack (the compress pipeline's
  // close of our stream); native routes under the plugin log nothing.
  test('is no failure: the body is cancelled and nothing is logged', async () => {
    const controller = new AbortController()
    const response = await server.send('/api/endless?id=compressed', { headers: { 'accept-encoding': 'gzip' }, signal: controller.signal })
    assert.equal(response.headers.get('content-encoding'), 'gzip')
    const reader = response.body!.getReader()
    let timer: NodeJS.Timeout | undefined
    const giveUp = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('no first chunk within 5 s')), 5000)))
    try {
      assert.equal((await Promise.race([reader.read(), giveUp])).done, false)
    } finally {
      clearTimeout(timer)
    }
    controller.abort()
    await reader.closed.catch(() => {})
    assert.ok(await eventually(() => cancelled.has('compressed')), 'the body was not cancelled')
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(errors, [])
  })
})
