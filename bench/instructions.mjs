// Instructions per request, counted: `node bench/instructions.mjs <express|fastify> <native|routes|…> <path> [post]`.
// Runs one bench/server.mjs under valgrind's callgrind, warms it up, then counts the instructions the
// server executes (all its threads, user space) over several intervals of the same number of
// requests, and prints instructions per request for each interval and the median of the settled ones.
// Unlike req/s or CPU time, the count does not move with the load of a shared machine, so a change
// worth 2% can be told from noise in one run, and two runs can go at once. It is a proxy: kernel
// time and cache misses are not in it. Slow (about 50 times): a run takes 3–4 minutes.
// Needs valgrind (`sudo apt-get install valgrind`). Environment: INSTR_WARM (requests before
// counting, default 30000), INSTR_REQUESTS (per interval, default 3000), INSTR_INTERVALS (default 5),
// INSTR_FUNCTIONS (a number: also print that many functions that executed the most instructions in
// the last interval, per request, JavaScript ones named through node's --perf-basic-prof map).
import { execFileSync, spawn } from 'node:child_process'
import { Agent, request } from 'node:http'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { instructionsByFunction } from './_callgrind-functions.mjs'

const [host, variant, path, post] = process.argv.slice(2)
if (!host || !variant || !path) {
  console.error('usage: node bench/instructions.mjs <express|fastify> <native|routes|cached-memory> <path> [post]')
  process.exit(2)
}
const warm = Number(process.env.INSTR_WARM ?? 30000)
const perInterval = Number(process.env.INSTR_REQUESTS ?? 3000)
const intervals = Number(process.env.INSTR_INTERVALS ?? 5)
const functions = Number(process.env.INSTR_FUNCTIONS ?? 0)
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
} catch {
  console.error('bench/instructions.mjs needs valgrind: sudo apt-get install valgrind')
  process.exit(1)
}

const out = mkdtempSync(join(tmpdir(), 'rh-instructions-'))
const server = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    // V8 writes the machine code it runs: valgrind must notice.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${join(out, 'callgrind.out')}`,
    process.execPath,
    // No idle-time GCs between intervals, and compilation and GC on the main thread: the count of
    // an interval is then its requests' own.
    '--no-memory-reducer',
    '--single-threaded',
    // The map of V8's code to function names; node also writes a log per isolate then, kept out of the
    // working directory.
    ...(functions > 0 ? ['--perf-basic-prof', `--logfile=${join(out, 'v8.log')}`, '--no-logfile-per-isolate'] : []),
    fileURLToPath(new URL('./server.mjs', import.meta.url)),
    host,
    variant,
  ],
  { stdio: ['ignore', 'pipe', 'ignore'] },
)
const port = await new Promise((resolve, reject) => {
  let text = ''
  server.stdout.on('data', (chunk) => {
    text += chunk
    const line = text.split('\n').find((candidate) => candidate.startsWith('{'))
    if (line) resolve(JSON.parse(line).port)
  })
  server.once('exit', () => reject(new Error('the server exited before it listened')))
})

const agent = new Agent({ keepAlive: true, maxSockets: 8 })
const body = JSON.stringify({ payload: 'x'.repeat(980) })

/** Exactly `count` requests over 8 keep-alive connections; every answer must be a 200. */
function requests(count) {
  let sent = 0
  let answered = 0
  return new Promise((resolve, reject) => {
    const next = () => {
      if (sent === count) return
      sent++
      const headers = post ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}
      const outgoing = request({ host: '127.0.0.1', port, path, agent, method: post ? 'POST' : 'GET', headers }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`${path} answered ${response.statusCode}`))
        response.resume()
        response.on('end', () => (++answered === count ? resolve() : next()))
      })
      outgoing.on('error', reject)
      outgoing.end(post ? body : undefined)
    }
    for (let connection = 0; connection < 8; connection++) next()
  })
}

const control = (command) => execFileSync('callgrind_control', [command, String(server.pid)], { stdio: 'ignore' })
await requests(warm)
for (let interval = 0; interval < intervals; interval++) {
  control('-z')
  await requests(perInterval)
  control('-d')
}
agent.destroy()
server.kill()
await new Promise((resolve) => server.once('exit', resolve))

// One dump per interval, numbered in order (callgrind.out.<pid>.<n>); the last file is the exit's.
const dumps = readdirSync(out)
  .map((name) => /\.(\d+)$/.exec(name))
  .filter((match) => match !== null)
  .map((match) => ({ file: join(out, match.input), index: Number(match[1]) }))
  .sort((a, b) => a.index - b.index)
  .slice(0, intervals)
const perRequest = dumps.map(({ file }) => Number(/^summary: (\d+)$/m.exec(readFileSync(file, 'utf8'))[1]) / perInterval)
const byFunction = functions > 0 ? instructionsByFunction(dumps.at(-1).file, `/tmp/perf-${server.pid}.map`).slice(0, functions) : []
if (functions > 0) rmSync(`/tmp/perf-${server.pid}.map`, { force: true })
rmSync(out, { recursive: true, force: true })
// The first interval still pays for compilation the warm-up started.
const settled = perRequest.slice(1).sort((a, b) => a - b)
const median = settled[Math.floor(settled.length / 2)]
console.log(
  `${host} ${variant} ${post ? 'POST' : 'GET'} ${path}: ${Math.round(median)} instructions a request ` +
    `(intervals of ${perInterval}: ${perRequest.map((count) => Math.round(count)).join(', ')})`,
)
for (const [name, count] of byFunction) console.log(`${(count / perInterval).toFixed(0).padStart(8)}  ${name}`)
