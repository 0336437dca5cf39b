// npm run start:two-instances: two instances of a legacy app on one Redis, as they run behind a
// load balancer: A is Express (express.mjs), B is Fastify (fastify.mjs), both serving the same
// route folder with their cache in Redis. Starts a redis-server of its own (nothing saved to disk)
// unless REDIS_URL names one, then prints the URLs to try. Ctrl+C stops all of it.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const children = []
const dataDir = mkdtempSync(join(tmpdir(), 'route-handlers-two-instances-'))
let stopping = false

function stop(code) {
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop(0))

/** Starts `command` and resolves with the first match of `pattern` in what it prints. */
async function start(command, args, env, pattern) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  child.once('exit', (code) => {
    if (stopping) return
    console.error(`${[command, ...args].join(' ')} exited (${code}); stopping.`)
    stop(1)
  })
  let output = ''
  const match = await new Promise((resolve) => {
    child.stdout.setEncoding('utf8').on('data', function watch(chunk) {
      output += chunk
      const found = pattern.exec(output)
      if (found) {
        child.stdout.off('data', watch)
        resolve(found)
      }
    })
  })
  // What it prints later (its logs) goes on to this terminal.
  child.stdout.pipe(process.stdout)
  return match
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  return port
}

async function redisUrl() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, note: 'REDIS_URL' }
  const port = await freePort()
  const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' })
  const [error] = await Promise.race([once(probe, 'error'), once(probe, 'exit').then(() => [])])
  if (error) {
    console.error('redis-server is not installed. Install it (apt-get install redis-server, brew install redis), or set REDIS_URL to a running Redis.')
    stop(1)
  }
  await start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, /Ready to accept connections/)
  return { url: `redis://127.0.0.1:${port}`, note: 'started for this example; REDIS_URL names another' }
}

const redis = await redisUrl()
// PORT and the port after it; PORT=0 picks free ones.
const port = Number(process.env.PORT ?? 3000)
const env = { REDIS_URL: redis.url, CATALOG_FILE: join(dataDir, 'catalog.json') }
const script = (name) => fileURLToPath(new URL(name, import.meta.url))
const [, a] = await start(process.execPath, [script('express.mjs')], { ...env, PORT: String(port), INSTANCE_NAME: 'A (Express)' }, /listening on (\S+)/)
const [, b] = await start(process.execPath, [script('fastify.mjs')], { ...env, PORT: String(port && port + 1), INSTANCE_NAME: 'B (Fastify)' }, /listening on (\S+)/)

const update = `curl -i -X POST ${b}/api/products/price -H 'content-type: application/json' -d '{"name":"Widget","price":12}'`
console.log(`Two instances of a legacy app on one Redis (${redis.url}, ${redis.note}):
  A (Express) listening on ${a}
  B (Fastify) listening on ${b}
(the PORT variable picks A's port; B takes the next one)

Try, in this order (x-nextjs-cache says where each answer came from):
  curl -i ${a}/api/products      A reads the catalog: MISS
  curl -i ${b}/api/products      B serves A's entry: HIT, "generatedBy": "A (Express)"
  ${update}
  curl -i ${a}/api/products      A reads the new price: MISS, then HIT
  curl -i ${b}/api/legacy/instance

Ctrl+C to stop.`)
