/**
 * OpenTelemetry's HTTP server spans for route files under Express (a trial: every route file's
 * span read `GET /api`, the mount path, where a native route's read `GET /native/items/:id`).
 * Real OpenTelemetry: the SDK, the http and Express instrumentations, an in-memory exporter, in a
 * process of its own (the instrumentations patch `http` and `express` as they load).
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const ADAPTER = new URL('../dist/adapters/express.js', import.meta.url).href
const FASTIFY_ADAPTER = new URL('../dist/adapters/fastify.js', import.meta.url).href

test("a route file's server span has the file's pattern under the mount path as http.route and in its name, as a native route's has", () => {
  const root = tempRouteFolder({
    'app/items/[slug]/route.ts': 'export function GET() { return Response.json({ ok: true }) }\n',
    'app/route.ts': 'export function GET() { return new Response("root") }\n',
  })
  const program = `
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node')
    const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base')
    const { registerInstrumentations } = require('@opentelemetry/instrumentation')
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http')
    const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express')
    const exporter = new InMemorySpanExporter()
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register()
    registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()] })
    const express = require('express')
    ;(async () => {
      const { routeHandlers } = await import(${JSON.stringify(ADAPTER)})
      const app = express()
      app.get('/native/items/:id', (req, res) => res.json({ ok: true }))
      app.use('/api', await routeHandlers({ dir: ${JSON.stringify(join(root, 'app'))} }).ready())
      const server = app.listen(0, '127.0.0.1', async () => {
        const base = 'http://127.0.0.1:' + server.address().port
        for (const path of ['/native/items/1', '/api/items/abc', '/api']) await (await fetch(base + path)).text()
        // Each server span ends when its response has finished, which may come after the client has read it.
        const serverSpans = () => exporter.getFinishedSpans().filter((span) => span.kind === 1)
        while (serverSpans().length < 3) await new Promise((resolve) => setImmediate(resolve))
        const spans = serverSpans()
        console.log(JSON.stringify(spans.map((span) => [span.name, span.attributes['http.route']])))
        server.close()
      })
    })()
  `
  const spans = JSON.parse(execFileSync(process.execPath, ['-e', program], { cwd: process.cwd(), encoding: 'utf8' })) as Array<[string, string]>
  assert.deepEqual(spans, [
    ['GET /native/items/:id', '/native/items/:id'],
    ['GET /api/items/[slug]', '/api/items/[slug]'],
    ['GET /api', '/api'],
  ])
})

// Trial: @fastify/otel times each route's handler in a span, ended when the handler returns; the
// plugin's handler returned at once, so the span ended before the route file ran (1.6 ms for a
// 200 ms route), spans the route file made hung under an ended one, and a failure left it unset.
test('@fastify/otel: the handler span of a route file lasts until its answer has gone, and a failure marks it ERROR', () => {
  const root = tempRouteFolder({
    'app/slow/route.ts': [
      "import { trace } from '@opentelemetry/api'",
      'export async function GET() {',
      "  await trace.getTracer('route').startActiveSpan('work', async (span) => {",
      '    await new Promise((resolve) => setImmediate(resolve))',
      '    span.end()',
      '  })',
      '  return Response.json({ ok: true })',
      '}',
      '',
    ].join('\n'),
    'app/boom/route.ts': "export async function GET() {\n  await new Promise((resolve) => setImmediate(resolve))\n  throw new Error('boom')\n}\n",
    'app/now/route.ts': 'export function GET() { return Response.json({ now: true }) }\n',
  })
  // The route files' @opentelemetry/api is the app's (one API, one tracer provider).
  mkdirSync(join(root, 'node_modules/@opentelemetry'), { recursive: true })
  symlinkSync(join(process.cwd(), 'node_modules/@opentelemetry/api'), join(root, 'node_modules/@opentelemetry/api'))
  const program = `
    import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
    import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
    import { registerInstrumentations } from '@opentelemetry/instrumentation'
    import { FastifyOtelInstrumentation } from '@fastify/otel'
    const exporter = new InMemorySpanExporter()
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register()
    registerInstrumentations({ instrumentations: [new FastifyOtelInstrumentation({ registerOnInitialization: true })] })
    const { default: Fastify } = await import('fastify')
    const { routeHandlersPlugin } = await import(${JSON.stringify(FASTIFY_ADAPTER)})
    const app = Fastify()
    await app.register(routeHandlersPlugin, { dir: ${JSON.stringify(join(root, 'app'))}, prefix: '/api', logger: { warn() {}, error() {} } })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = 'http://127.0.0.1:' + app.server.address().port
    const statuses = []
    for (const path of ['/api/slow', '/api/boom', '/api/now']) statuses.push((await fetch(base + path)).status)
    await app.close()
    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'work' || span.attributes['fastify.type'] === 'request-handler')
    console.log(JSON.stringify({ statuses, spans: spans.map((span) => [span.name, span.attributes['http.route'] ?? null, span.status.code]) }))
  `
  const answer = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: process.cwd(), encoding: 'utf8' }))
  // In the order they ended: the route file's own span first, inside the handler's; status 2 is ERROR.
  assert.deepEqual(answer, {
    statuses: [200, 500, 200],
    spans: [
      ['work', null, 0],
      ['handler - route-handlers', '/api/slow', 0],
      ['handler - route-handlers', '/api/boom', 2],
      ['handler - route-handlers', '/api/now', 0],
    ],
  })
})
