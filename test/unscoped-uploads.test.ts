/**
 * The first `after()` ever, made while the request store is off (nothing has imported
 * `next/headers`) and two spooled uploads run: the task waits for both responses, and each request
 * holds its uploads until the task has settled (a review found the one that was not the last to
 * answer released its files at once, and the task read a deleted file). Runs in its own process:
 * the store must be off when it starts.
 */
import express from 'express'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { routeHandlers } from '../adapters/express.ts'
import { listen } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const gates = globalThis as { __holdB?: Promise<void>; __bReading?: () => void; __readA?: (text: string) => void }

const uploads = tempRouteFolder({
  'a/route.ts': [
    "import { after } from 'next/server'",
    'const gates = globalThis as { __readA?: (text: string) => void }',
    'export async function POST(request: Request) {',
    "  const file = (await request.formData()).get('f') as File",
    '  after(async () => gates.__readA?.(await file.text().catch((error: Error) => error.message)))',
    "  return new Response('a')",
    '}',
    '',
  ].join('\n'),
  'c/route.ts': "export async function POST(request: Request) {\n  await request.formData()\n  return new Response('c')\n}\n",
  'b/route.ts': [
    'const gates = globalThis as { __holdB?: Promise<void>; __bReading?: () => void }',
    'export async function POST(request: Request) {',
    '  await request.formData()',
    '  gates.__bReading?.()',
    '  await gates.__holdB',
    "  return new Response('b')",
    '}',
    '',
  ].join('\n'),
})

function form(text: string): FormData {
  const body = new FormData()
  body.append('f', new File([text], 'f.txt', { type: 'text/plain' }))
  return body
}

test("the first after() while several spooled uploads run: the caller's file is still there when its task reads it", { timeout: 20_000 }, async () => {
  const spool = mkdtempSync(join(tmpdir(), 'route-handlers-unscoped-spool-'))
  let releaseB = () => {}
  gates.__holdB = new Promise<void>((resolve) => (releaseB = resolve))
  const bReading = new Promise<void>((resolve) => (gates.__bReading = resolve))
  const readA = new Promise<string>((resolve) => (gates.__readA = resolve))
  const middleware = await routeHandlers({ dir: uploads, logger: { warn() {}, error() {} }, multipart: { spool } }).ready()
  const app = express()
  app.use(middleware)
  const target = await listen(app)
  try {
    const b = target.send('/b', { method: 'POST', body: form('for b') })
    // B has read its form and waits when A calls after(): A answers first, B last.
    await bReading
    const a = await target.send('/a', { method: 'POST', body: form('for a') })
    assert.equal(await a.text(), 'a')
    // An upload answered since, its folder deleted: A's would have gone before it, were it not held.
    assert.equal(await (await target.send('/c', { method: 'POST', body: form('for c') })).text(), 'c')
    for (let tries = 0; tries < 500 && readdirSync(spool).length > 2; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(readdirSync(spool).length, 2, 'the folders of A (held by its after() task) and B (still answering)')
    releaseB()
    assert.equal(await (await b).text(), 'b')
    assert.equal(await readA, 'for a')
  } finally {
    await target.close()
    await middleware.close()
    rmSync(spool, { recursive: true, force: true })
  }
})
