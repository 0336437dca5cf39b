/**
 * Slow and stuck requests (issue 10 #8): the body-idle timeout (`bodyTimeout`, 408) and Next.js's
 * `maxDuration` (504), on every Node host and the bare core. Tiny timeouts keep the suite quick;
 * nothing here asserts how long anything took, only statuses, reasons and bytes.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import express from 'express'
import Fastify from 'fastify'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { createRouteHandlers, isRouteHandlersError, serve } from '../lib/index.ts'
import { eventually } from './helpers/http.ts'
import { RawConnection } from './helpers/raw-connection.ts'
import { appErrorHandler, fastifyListening, listen, quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

/** What a route saw, by the `x-id` its request carried. */
interface Seen {
  reason?: string
  reasonIsError?: boolean
  late?: boolean
  cancelled?: string
  code?: string
}

const seen = ((globalThis as Record<string, unknown>).__timeouts ??= new Map<string, Seen>()) as Map<string, Seen>
// Bodies the test holds back: a POST to /body waits for its gate before reading.
const gates = ((globalThis as Record<string, unknown>).__timeoutGates ??= new Map<string, Promise<void>>()) as Map<string, Promise<void>>

const SEEN = `const seen = (globalThis as any).__timeouts as Map<string, any>
const entry = (request: Request) => {
  const value = {}
  seen.set(request.headers.get('x-id') ?? '', value)
  return value as any
}
`

const DIR = tempRouteFolder({
  // Past its own maxDuration: waits for the abort, then answers anyway, a little later.
  'slow/route.ts': `${SEEN}
export const maxDuration = 0.1
export async function GET(request: Request) {
  const seenHere = entry(request)
  await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))
  seenHere.reason = request.signal.reason?.code
  seenHere.reasonIsError = request.signal.reason instanceof Error
  await new Promise((resolve) => setTimeout(resolve, 20))
  seenHere.late = true
  return new Response('late answer')
}
`,
  // No export of its own: the maxDuration option applies.
  'never/route.ts': `export function GET(): Promise<Response> {
  return new Promise(() => {})
}
`,
  // No export of its own, and a little wait: what the option's budget, when one applies, cuts.
  'unhurried/route.ts': `export async function GET() {
  await new Promise((resolve) => setTimeout(resolve, 20))
  return new Response('unhurried')
}
`,
  // A stream that sends one chunk, then nothing until cancelled.
  'stream/route.ts': `${SEEN}
export const maxDuration = 0.15
export function GET(request: Request) {
  const seenHere = entry(request)
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('first'))
    },
    pull: () => new Promise(() => {}),
    cancel(reason) {
      seenHere.cancelled = reason?.code
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/plain' } })
}
`,
  // A stream that never sends its first byte.
  'silent/route.ts': `export const maxDuration = 0.1
export const GET = () => new Response(new ReadableStream({ pull: () => new Promise(() => {}) }))
`,
  // Answers at once and reads the body afterwards.
  'answer-first/route.ts': `${SEEN}
export const maxDuration = 30
export function POST(request: Request) {
  const seenHere = entry(request)
  request.text().catch((error) => (seenHere.code = error.code))
  return new Response('answered')
}
`,
  'fast/route.ts': `export const maxDuration = 30
export const GET = () => new Response('fast')
`,
  // A route that wants no limit under the option's 0.1 s: a month, longer than any timer (a trial:
  // Node fired it after 1 ms, and every request answered 504).
  'month/route.ts': `export const maxDuration = 30 * 24 * 3600
export async function GET() {
  await new Promise((resolve) => setTimeout(resolve, 300))
  return new Response('patient')
}
`,
  // Reads the body as ?read= says, once its gate (if any) opens; records the error it got.
  'body/route.ts': `${SEEN}
export const maxDuration = 30
const gates = (globalThis as any).__timeoutGates as Map<string, Promise<void>>
export async function POST(request: Request) {
  const seenHere = entry(request)
  await gates.get(request.headers.get('x-id') ?? '')
  const read = new URL(request.url).searchParams.get('read')
  try {
    if (read === 'stream') {
      let bytes = 0
      const reader = request.body!.getReader()
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength
      return Response.json({ bytes })
    }
    if (read === 'form') return Response.json({ fields: [...(await request.formData()).keys()] })
    return Response.json({ text: await request.text() })
  } catch (error) {
    seenHere.code = (error as { code?: string }).code
    throw error
  }
}
`,
})

const OPTIONS = { dir: DIR, bodyTimeout: 150, maxDuration: 0.1, logger: quietLogger }

interface Host {
  port: number
  close(): Promise<void>
}

const hosts: Record<string, () => Promise<Host>> = {
  Express: async () => {
    const app = express()
    app.use(await routeHandlers(OPTIONS).ready())
    app.use(appErrorHandler)
    return listen(app)
  },
  Fastify: async () => {
    const app = Fastify()
    app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
      const status = error.statusCode ?? 500
      return reply.code(status).send(status < 500 ? error.message : 'Internal Server Error')
    })
    await app.register(routeHandlersPlugin, OPTIONS)
    return fastifyListening(app)
  },
  'standalone serve()': async () => {
    const server = await serve({ ...OPTIONS, port: 0 })
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    }
  },
}

function get(path: string, id: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-id: ${id}\r\n\r\n`
}

/** A POST whose head promises `length` bytes, of which only `sent` are sent here. */
function post(path: string, id: string, contentType: string, length: number, sent: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-id: ${id}\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n${sent}`
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`timeouts: ${name}`, () => {
    let host: Host
    before(async () => {
      host = await start()
    })
    after(() => host.close())

    test('maxDuration: a handler past its route\'s budget gets 504, its signal aborts with RH_ERR_HANDLER_TIMEOUT, its late answer is dropped, keep-alive goes on (issue 10 #8)', async () => {
      const connection = await RawConnection.open(host.port)
      try {
        const id = randomUUID()
        connection.write(get('/slow', id))
        const timedOut = await connection.response()
        assert.equal(timedOut.status, 504)
        assert.notEqual(timedOut.body, 'late answer')
        // The handler answers after the abort; nothing of that answer may reach the connection.
        assert.ok(await eventually(() => seen.get(id)?.late === true))
        assert.equal(seen.get(id)?.reason, 'RH_ERR_HANDLER_TIMEOUT')
        assert.equal(seen.get(id)?.reasonIsError, true)
        connection.write(get('/fast', randomUUID()))
        const next = await connection.response()
        assert.equal(next.status, 200)
        assert.equal(next.body, 'fast')
        assert.equal(connection.rest, '')
        assert.equal(connection.isClosed, false)
      } finally {
        connection.destroy()
      }
    })

    test('maxDuration longer than a timer can wait (a month) is no limit, not a 504 at once, and not the option\'s either', async () => {
      const response = await fetch(`http://127.0.0.1:${host.port}/month`)
      assert.equal(response.status, 200)
      assert.equal(await response.text(), 'patient')
    })

    test('maxDuration option: a handler that never resolves is answered 504 (issue 10 #8)', async () => {
      const response = await fetch(`http://127.0.0.1:${host.port}/never`)
      assert.equal(response.status, 504)
    })

    test('maxDuration: a response whose stream has sent nothing when the budget runs out is answered 504 (issue 10 #8)', async () => {
      const response = await fetch(`http://127.0.0.1:${host.port}/silent`)
      assert.equal(response.status, 504)
    })

    test('maxDuration: a response still streaming when the budget runs out is cut and its stream cancelled (issue 10 #8)', async () => {
      const id = randomUUID()
      const response = await fetch(`http://127.0.0.1:${host.port}/stream`, { headers: { 'x-id': id, 'accept-encoding': 'identity' } })
      assert.equal(response.status, 200)
      const reader = response.body!.getReader()
      let text = ''
      const outcome = await (async () => {
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value)
          return 'ended'
        } catch {
          return 'cut'
        }
      })()
      assert.equal(text, 'first')
      assert.equal(outcome, 'cut')
      assert.ok(await eventually(() => seen.get(id)?.cancelled !== undefined))
      assert.equal(seen.get(id)?.cancelled, 'RH_ERR_HANDLER_TIMEOUT')
    })

    for (const [read, contentType, partial] of [
      ['text', 'text/plain', 'hello'],
      ['stream', 'application/octet-stream', 'hello'],
      ['form', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nval'],
    ] as const) {
      test(`bodyTimeout: a body that stops coming (${read}) gets 408 RH_ERR_BODY_TIMEOUT and the connection is closed (issue 10 #8)`, async () => {
        const connection = await RawConnection.open(host.port)
        try {
          const id = randomUUID()
          connection.write(post(`/body?read=${read}`, id, contentType, 500, partial))
          const response = await connection.response()
          assert.equal(response.status, 408)
          assert.equal(response.headers.connection, 'close')
          assert.equal(seen.get(id)?.code, 'RH_ERR_BODY_TIMEOUT')
          // The rest of the body would otherwise be read as the next request.
          await connection.closed
          assert.equal(connection.rest, '')
        } finally {
          connection.destroy()
        }
      })
    }

    test('bodyTimeout: a body that stops coming after the handler answered closes the connection (issue 10 #8)', async () => {
      const connection = await RawConnection.open(host.port)
      try {
        const id = randomUUID()
        connection.write(post('/answer-first', id, 'text/plain', 500, 'hello'))
        const response = await connection.response()
        assert.equal(response.status, 200)
        assert.equal(response.body, 'answered')
        await connection.closed
        assert.equal(seen.get(id)?.code, 'RH_ERR_BODY_TIMEOUT')
        assert.equal(connection.rest, '')
      } finally {
        connection.destroy()
      }
    })

    test('bodyTimeout: a client idle while the handler is not reading is not timed out (issue 10 #8)', async () => {
      const connection = await RawConnection.open(host.port)
      let open!: () => void
      const id = randomUUID()
      gates.set(id, new Promise<void>((resolve) => (open = resolve)))
      try {
        connection.write(post('/body?read=text', id, 'text/plain', 10, 'hello'))
        // Several bodyTimeouts of silence, while the handler waits on something else.
        await sleep(600)
        connection.write('world')
        open()
        const response = await connection.response()
        assert.equal(response.status, 200)
        assert.deepEqual(JSON.parse(response.body), { text: 'helloworld' })
        assert.notEqual(response.headers.connection, 'close')
      } finally {
        gates.delete(id)
        connection.destroy()
      }
    })
  })
}

describe('timeouts: core handle()', () => {
  const routes = createRouteHandlers(OPTIONS)
  before(() => routes.ready())

  test('maxDuration: handle() rejects with RH_ERR_HANDLER_TIMEOUT (504); request.signal carries it (issue 10 #8)', async () => {
    const id = randomUUID()
    const error = await routes.handle(new Request('http://localhost/slow', { headers: { 'x-id': id } })).then(
      () => assert.fail('handle() resolved'),
      (rejection: unknown) => rejection,
    )
    assert.ok(isRouteHandlersError(error))
    assert.equal(error.code, 'RH_ERR_HANDLER_TIMEOUT')
    assert.equal(error.status, 504)
    assert.ok(await eventually(() => seen.get(id)?.late === true))
    assert.equal(seen.get(id)?.reason, 'RH_ERR_HANDLER_TIMEOUT')
  })

  test('maxDuration: a returned body still streaming errors with RH_ERR_HANDLER_TIMEOUT (issue 10 #8)', async () => {
    const id = randomUUID()
    const response = (await routes.handle(new Request('http://localhost/stream', { headers: { 'x-id': id } })))!
    assert.equal(response.status, 200)
    const reader = response.body!.getReader()
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'first')
    await assert.rejects(reader.read(), { code: 'RH_ERR_HANDLER_TIMEOUT' })
    assert.equal(seen.get(id)?.cancelled, 'RH_ERR_HANDLER_TIMEOUT')
  })

  test('maxDuration: a route that answers in time keeps its answer (issue 10 #8)', async () => {
    const response = (await routes.handle(new Request('http://localhost/fast')))!
    assert.equal(await response.text(), 'fast')
  })

  test('maxDuration: a route exporting something other than a number of seconds fails to load (issue 10 #8)', async () => {
    const dir = tempRouteFolder({
      'text/route.ts': "export const maxDuration = '60'\nexport const GET = () => new Response('x')\n",
      'negative/route.ts': 'export const maxDuration = -1\nexport const GET = () => new Response(\'x\')\n',
      'zero/route.ts': 'export const maxDuration = 0\nexport const GET = () => new Response(\'zero\')\n',
    })
    const broken = createRouteHandlers({ dir, logger: quietLogger })
    await assert.rejects(broken.ready(), (error: Error & { code?: string; cause?: AggregateError }) => {
      assert.equal(error.code, 'RH_ERR_ROUTES_LOAD')
      assert.deepEqual(error.cause!.errors.map((cause: { code: string }) => cause.code), ['RH_ERR_ROUTE_CONFIG_INVALID', 'RH_ERR_ROUTE_CONFIG_INVALID'])
      return true
    })
    await assert.rejects(broken.handle(new Request('http://localhost/text')), { code: 'RH_ERR_ROUTE_CONFIG_INVALID' })
    // 0 is a valid export (Next.js accepts it): no budget of its own.
    assert.equal(await (await broken.handle(new Request('http://localhost/zero')))!.text(), 'zero')
  })

  test('a maxDuration option longer than a timer can wait is no limit (a month: the handler answers)', async () => {
    const monthLong = createRouteHandlers({ dir: DIR, logger: quietLogger, maxDuration: 30 * 24 * 3600, bodyTimeout: 2 ** 40 })
    const response = (await monthLong.handle(new Request('http://localhost/unhurried')))!
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'unhurried')
    assert.equal(monthLong.bodyLimits.bodyTimeout, 0)
    await monthLong.close()
  })

  test('bodyTimeout and maxDuration options are checked when the handlers are created (issue 10 #8)', () => {
    for (const options of [{ bodyTimeout: -1 }, { bodyTimeout: Number.NaN }, { maxDuration: Infinity }, { maxDuration: '60' as unknown as number }]) {
      assert.throws(() => createRouteHandlers({ dir: DIR, ...options }), { code: 'RH_ERR_OPTIONS_INVALID' }, JSON.stringify(options))
    }
  })
})
