/**
 * Run in a process of its own by lazy-next-headers.test.ts (the request store must be off when it
 * starts): serves one scenario over real HTTP on Express, prints what the requests answered as JSON.
 */
import express, { type ErrorRequestHandler } from 'express'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { routeHandlers } from '../../adapters/express.ts'
import { listen } from './targets.ts'

const [dir, scenario] = process.argv.slice(2) as [
  string,
  'require-in-library' | 'require-beside-another' | 'two-first' | 'after-first' | 'import-after-await' | 'reload-adds-library',
]
const middleware = await routeHandlers({ dir, logger: { warn() {}, error() {} }, reload: scenario === 'reload-adds-library' }).ready()
const app = express()
app.use(middleware)
app.use(((error, _req, res, _next) => void res.status(500).send(error.code)) as ErrorRequestHandler)
const target = await listen(app)
const read = async (response: Response) => ({ status: response.status, body: await response.text() })
const headers = { cookie: 'user=ada', 'user-agent': 'lazy-test' }
let results: unknown
if (scenario === 'require-in-library') {
  results = [await read(await target.send('/session', { headers })), await read(await target.send('/session', { headers }))]
} else if (scenario === 'require-beside-another') {
  // Another request is running outside the store when the first one loads next/headers.
  const slow = target.send('/slow')
  while ((globalThis as { slowStarted?: boolean }).slowStarted !== true) await new Promise((resolve) => setTimeout(resolve, 5))
  const session = await read(await target.send('/session', { headers }))
  await target.send('/release')
  results = [session, await read(await slow)]
} else if (scenario === 'after-first') {
  results = [await read(await target.send('/after-first', { headers }))]
} else if (scenario === 'reload-adds-library') {
  mkdirSync(join(dir, 'added'))
  // An edit made while the app runs brings the library in: its first request.
  writeFileSync(join(dir, 'added/route.ts'), "import { getSession } from 'next-session'\nexport async function GET() { return Response.json(await getSession()) }\n")
  let response = await target.send('/added', { headers })
  for (let tries = 0; response.status === 404 && tries < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    response = await target.send('/added', { headers })
  }
  results = [await read(response)]
} else if (scenario === 'two-first') {
  results = await Promise.all([target.send('/session', { headers }).then(read), target.send('/session', { headers }).then(read)])
} else {
  results = [await read(await target.send('/later', { headers })), await read(await target.send('/later', { headers }))]
}
await target.close()
console.log(JSON.stringify(results))
