/**
 * A client that cancels a spooled upload mid-body (trial): the form's failure reaches the host's
 * error handling as the client's (`RH_ERR_BODY_INCOMPLETE`, 400), as without spooling; it was a
 * 500 `RH_ERR_FORM_ABANDONED` telling the developer to await formData(), which the handler did.
 */
import express, { type ErrorRequestHandler } from 'express'
import Fastify from 'fastify'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { fastifyListening, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  'upload/route.ts': `
export async function POST(request: Request) {
  const form = await request.formData()
  return Response.json({ files: form.getAll('file').length })
}
`,
  // Reads its form only after a while: the client has sent it all, and left, by then.
  'late/route.ts': `
export async function POST(request: Request) {
  await new Promise((resolve) => setTimeout(resolve, 300))
  const form = await request.formData()
  return Response.json({ files: form.getAll('file').length })
}
`,
})

interface Failure {
  code?: string
  status?: number
}

const hosts: Record<string, (failures: Failure[]) => Promise<SocketTarget>> = {
  Express: async (failures) => {
    const app = express()
    app.use(await routeHandlers({ dir, logger: quietLogger, multipart: { spool: tmpdir() } }).ready())
    const recorder: ErrorRequestHandler = (error: Failure, _req, res, _next) => {
      failures.push({ code: error.code, status: error.status })
      res.status(error.status ?? 500).end()
    }
    app.use(recorder)
    return listen(app)
  },
  Fastify: async (failures) => {
    const app = Fastify()
    app.setErrorHandler((error: Failure & { statusCode?: number }, _request, reply) => {
      failures.push({ code: error.code, status: error.statusCode })
      return reply.code(error.statusCode ?? 500).send()
    })
    await app.register(routeHandlersPlugin, { dir, logger: quietLogger, multipart: { spool: tmpdir() } })
    return fastifyListening(app)
  },
}

const boundary = 'abort-boundary'

/** Announces 100 MiB, sends the start of a file part, then resets the connection. */
async function abandonUpload(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.on('error', () => {})
  const part = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(256 * 1024)}`
  socket.write(
    `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n${part}`,
  )
  await sleep(50)
  socket.destroy()
}

/** Sends a whole small form to /late, then resets the connection before the answer. */
async function sendAllThenLeave(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.on('error', () => {})
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`
  socket.write(`POST /late HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  await sleep(100)
  socket.destroy()
}

for (const [name, start] of Object.entries(hosts)) {
  describe(`${name}: a spooled upload the client abandons`, () => {
    test('fails as the client\'s incomplete body (400), not as the handler\'s mistake', async () => {
      const failures: Failure[] = []
      const target = await start(failures)
      try {
        for (let round = 0; round < 3; round++) await abandonUpload(target.port)
        for (let tries = 0; failures.length < 3 && tries < 250; tries++) await sleep(20)
        assert.deepEqual(failures, Array.from({ length: 3 }, () => ({ code: 'RH_ERR_BODY_INCOMPLETE', status: 400 })))
      } finally {
        await target.close()
      }
    })

    // Review: it was still the 500 telling the developer to await formData(), which the handler did.
    test('a client that sent the whole form and left before the handler read it: RH_ERR_CLIENT_GONE (400)', async () => {
      const failures: Failure[] = []
      const target = await start(failures)
      try {
        await sendAllThenLeave(target.port)
        for (let tries = 0; failures.length < 1 && tries < 250; tries++) await sleep(20)
        assert.deepEqual(failures, [{ code: 'RH_ERR_CLIENT_GONE', status: 400 }])
      } finally {
        await target.close()
      }
    })
  })
}
