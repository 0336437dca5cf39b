/**
 * Slow and stuck requests (issue 10 #8): the body-idle timeout (`bodyTimeout`, 408), on every Node
 * host. Tiny timeouts keep the suite quick; nothing here asserts how long anything took, only
 * statuses, reasons and bytes.
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
import { createRouteHandlers, serve } from '../lib/index.ts'
import { RawConnection } from './helpers/raw-connection.ts'
import { appErrorHandler, listen, quietLogger } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

/** What a route saw, by the `x-id` its request carried. */
interface Seen {
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
  // Reads the body as ?read= says, once its gate (if any) opens; records the error it got.
  'body/route.ts': `${SEEN}
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

const OPTIONS = { dir: DIR, bodyTimeout: 150, logger: quietLogger }

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
    await app.listen({ port: 0, host: '127.0.0.1' })
    return {
      port: (app.server.address() as AddressInfo).port,
      close: async () => {
        app.server.closeAllConnections()
        await app.close()
      },
    }
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

describe('timeouts: options', () => {
  test('bodyTimeout is checked when the handlers are created (issue 10 #8)', () => {
    for (const options of [{ bodyTimeout: -1 }, { bodyTimeout: Number.NaN }, { bodyTimeout: '60' as unknown as number }]) {
      assert.throws(() => createRouteHandlers({ dir: DIR, ...options }), { code: 'RH_ERR_OPTIONS_INVALID' }, JSON.stringify(options))
    }
  })
})
