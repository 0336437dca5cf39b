/**
 * Failures the hosts' error handling must see as failures (review of the same-turn answers): an
 * async handler's Error of another realm, a body stream failing before its first byte with a reason
 * that is not an Error (a 500, the reason not sent), and, on Fastify, an app error handler's object
 * answer after a failing onSend hook (Fastify's JSON type, as without the plugin's text serializer).
 */
import assert from 'node:assert/strict'
import express, { type ErrorRequestHandler } from 'express'
import Fastify from 'fastify'
import { after, before, describe, test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { routeHandlersPlugin } from '../adapters/fastify.ts'
import { expressTarget, fastifyListening, fastifyTarget, listen, quietLogger, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  // An Error from another realm (vm): thrownError() passes it on unchanged ("Errors, of any realm").
  'realm/route.ts': [
    "import { runInNewContext } from 'node:vm'",
    'export async function GET() {',
    '  await Promise.resolve()',
    "  throw runInNewContext('new Error(\"from another realm\")')",
    '}',
    '',
  ].join('\n'),
  // A streamed body that fails before its first chunk, with a reason that is not an Error.
  'stream-fails/route.ts': [
    'export function GET() {',
    "  return new Response(new ReadableStream({ pull(controller) { controller.error('secret internal detail') } }))",
    '}',
    '',
  ].join('\n'),
  'json/route.ts': 'export function GET() { return Response.json({ ok: true }) }\n',
  'network-error/route.ts': 'export function GET() { return Response.error() }\n',
})

for (const [name, start] of [
  ['Express', () => expressTarget('', dir, { logger: quietLogger })],
  ['Fastify', () => fastifyTarget('', dir, { logger: quietLogger })],
] as const) {
  describe(`error paths: ${name}`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start()
    })
    after(() => target.close())

    test('an async handler that throws an Error of another realm reaches the error handler (500)', async () => {
      const response = await target.send('/realm')
      const body = await response.text()
      assert.equal(response.status, 500, `got ${response.status} ${JSON.stringify(body)}`)
    })

    test('a streamed body failing before its first chunk with a non-Error reason is a 500, not sent as the body', async () => {
      const response = await target.send('/stream-fails')
      const body = await response.text()
      assert.equal(response.status, 500, `got ${response.status} ${JSON.stringify(body)}`)
      assert.doesNotMatch(body, /secret internal detail/)
    })
  })
}

test("Response.error() (status 0) reaches each host's error handler as RH_ERR_RESPONSE_INVALID", async () => {
  const codes: unknown[] = []
  const app = express()
  app.use(await routeHandlers({ dir, logger: quietLogger }).ready())
  app.use(((error, _req, res, _next) => {
    codes.push(error.code)
    res.status(500).end()
  }) as ErrorRequestHandler)
  const express5 = await listen(app)
  const fastify = Fastify()
  fastify.setErrorHandler((error: { code?: string }, _request, reply) => {
    codes.push(error.code)
    void reply.code(500).send()
  })
  await fastify.register(routeHandlersPlugin, { dir, logger: quietLogger })
  const fastify5 = await fastifyListening(fastify)
  try {
    for (const target of [express5, fastify5]) assert.equal((await target.send('/network-error')).status, 500)
    assert.deepEqual(codes, ['RH_ERR_RESPONSE_INVALID', 'RH_ERR_RESPONSE_INVALID'])
  } finally {
    await Promise.all([express5.close(), fastify5.close()])
  }
})

test("Fastify: an app error handler's object reply after an onSend failure keeps Fastify's JSON content type", async () => {
  const app = Fastify()
  app.setErrorHandler((error: Error, _request, reply) => reply.code(500).send({ error: error.message }))
  let failed = false
  app.addHook('onSend', (_request, _reply, payload, done) => {
    if (failed) return done(null, payload)
    failed = true
    done(new Error('onSend failed'))
  })
  await app.register(routeHandlersPlugin, { dir, logger: quietLogger })
  const target = await fastifyListening(app)
  try {
    const response = await target.send('/json')
    const body = await response.text()
    assert.equal(response.status, 500)
    assert.equal(body, '{"error":"onSend failed"}')
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8')
  } finally {
    await target.close()
  }
})
