/**
 * OpenTelemetry's HTTP server spans for route files under Express (a trial: every route file's
 * span read `GET /api`, the mount path, where a native route's read `GET /native/items/:id`).
 * Real OpenTelemetry: the SDK, the http and Express instrumentations, an in-memory exporter, in a
 * process of its own (the instrumentations patch `http` and `express` as they load).
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const ADAPTER = new URL('../dist/adapters/express.js', import.meta.url).href

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
