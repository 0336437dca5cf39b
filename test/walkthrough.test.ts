/**
 * The README's migration walkthrough, as a user would do it, in a CommonJS and in an ES module
 * Express app: the legacy `PUT /api/users/:id` writes through the app's `lib/db.js`, the new
 * `app/users/[id]/route.ts` reads it. Each app runs in its own process on the built package, with
 * no TypeScript loader of its own, so what it shows is what a user gets: one `lib/db.js`.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const expressAdapter = JSON.stringify(join(root, 'dist/adapters/express.js'))

// The README's route file, plus what the test checks: the module instance and the request class.
const ROUTE = `
import { NextRequest } from 'next/server'
import { notFound } from 'next/navigation'
import { db } from '../../../lib/db'

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const user = await db.users.find((await params).id)
  if (!user) notFound()
  return Response.json({ ...user, dbLoads: db.loads, isNextRequest: request instanceof NextRequest })
}
`

const DB_BODY = `
const users = new Map([['7', { id: '7', name: 'Ada' }]])
globalThis.walkthroughDbLoads = (globalThis.walkthroughDbLoads ?? 0) + 1
const db = {
  get loads() { return globalThis.walkthroughDbLoads },
  users: {
    find: async (id) => users.get(id) ?? null,
    update: async (id, patch) => { users.set(id, { ...users.get(id), ...patch }); return users.get(id) },
  },
}
`

// The legacy app: the route folder mounted first, the old PUT still in Express; then it calls
// itself over HTTP and prints what it saw.
const SERVER_BODY = `
const app = express()
app.use('/api', routeHandlers({ dir: join(here, 'app'), onMissingMethod: 'fall-through' }))
app.put('/api/users/:id', express.json(), async (req, res) => res.json(await db.users.update(req.params.id, req.body)))
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port + '/api/users/'
  const before = await (await fetch(base + '7')).json()
  const put = await fetch(base + '7', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Grace' }) })
  const after = await (await fetch(base + '7')).json()
  const missing = (await fetch(base + '8')).status
  console.log(JSON.stringify({ before, put: put.status, after, missing, appDbLoads: db.loads }))
  server.close()
})
`

const FLAVOURS = {
  CommonJS: {
    'package.json': JSON.stringify({ name: 'legacy-cjs', private: true }),
    'lib/db.js': `${DB_BODY}\nmodule.exports = { db }\n`,
    'server.js': `const express = require('express')\nconst { join } = require('node:path')\nconst { routeHandlers } = require(${expressAdapter})\nconst { db } = require('./lib/db')\nconst here = __dirname\n${SERVER_BODY}`,
  },
  'ES module': {
    'package.json': JSON.stringify({ name: 'legacy-esm', private: true, type: 'module' }),
    'lib/db.js': `${DB_BODY}\nexport { db }\n`,
    'server.js': `import express from 'express'\nimport { join } from 'node:path'\nimport { routeHandlers } from ${expressAdapter}\nimport { db } from './lib/db.js'\nconst here = import.meta.dirname\n${SERVER_BODY}`,
  },
}

describe("the README's migration walkthrough", () => {
  for (const [flavour, files] of Object.entries(FLAVOURS)) {
    test(`in a ${flavour} Express app: the legacy PUT is seen by the route's GET, lib/db.js loads once`, () => {
      // Inside the repository, so the app finds express in our node_modules.
      const app = join(root, 'test/.tmp', `walkthrough-${flavour === 'CommonJS' ? 'cjs' : 'esm'}`)
      rmSync(app, { recursive: true, force: true })
      for (const [path, source] of Object.entries({ ...files, 'app/users/[id]/route.ts': ROUTE })) {
        mkdirSync(dirname(join(app, path)), { recursive: true })
        writeFileSync(join(app, path), source)
      }
      const output = execFileSync(process.execPath, ['server.js'], { cwd: app, encoding: 'utf8' })
      assert.deepEqual(JSON.parse(output), {
        before: { id: '7', name: 'Ada', dbLoads: 1, isNextRequest: true },
        put: 200,
        after: { id: '7', name: 'Grace', dbLoads: 1, isNextRequest: true },
        missing: 404,
        appDbLoads: 1,
      })
    })
  }
})
