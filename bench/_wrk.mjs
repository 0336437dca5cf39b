// wrk (Debian's), pinned to CPU 1 while the servers run on CPU 0: a C load generator that drives
// native Fastify 3× faster than a Node client on this machine class, so ratios measure the server.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const CLIENT_CPU = '1'
export const SERVER_CPU = '0'

/** Stops with install advice when wrk or taskset is missing; a root user gets wrk installed. */
export function requireTools() {
  if (!has('taskset', ['-c', '0', 'true'])) fail('taskset (util-linux) is needed to pin the servers and wrk to separate cores.')
  if (has('wrk', ['-v'])) return
  if (process.getuid?.() === 0 && has('apt-get', ['--version'])) {
    console.log('wrk is missing: installing it with apt-get (running as root).')
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], { stdio: 'inherit' })
    if (has('wrk', ['-v'])) return
  }
  fail('wrk is missing: install it with `sudo apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`.')
}

function has(command, args) {
  try {
    execFileSync(command, args, { stdio: 'ignore' })
    return true
  } catch (error) {
    // `wrk -v` prints its version and exits 1.
    return error.code !== 'ENOENT' && error.status !== 127
  }
}

function fail(message) {
  console.error(`npm run bench: ${message}`)
  process.exit(1)
}

const scripts = mkdtempSync(join(tmpdir(), 'route-handlers-wrk-'))
let scriptCount = 0

/** A Lua script making every request a POST of `body` with `headers`. */
export function postScript(body, headers) {
  const file = join(scripts, `post-${scriptCount++}.lua`)
  const lines = [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(body)}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/**
 * Runs wrk against `http://127.0.0.1:<port><path>` for `seconds` with `connections` on one thread.
 * Resolves with req/s and the request count; rejects on a non-2xx answer or a connect, read or
 * write error, so a broken endpoint never shows up as a fast one.
 */
export function runWrk({ port, path, seconds, connections = 50, script }) {
  const args = ['-c', CLIENT_CPU, 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, ...(script ? ['-s', script] : []), `http://127.0.0.1:${port}${path}`]
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (data) => (out += data))
    child.stderr.on('data', (data) => (out += data))
    child.on('close', (code) => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
      const requests = Number(/(\d+) requests in/.exec(out)?.[1])
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1]
      const errors = /Socket errors: (.*)/.exec(out)?.[1]
      if (code !== 0 || !Number.isFinite(rps)) return reject(new Error(`wrk ${path} on port ${port} failed:\n${out}`))
      // A timeout is a slow answer on a busy machine, not a broken one; it still counts in req/s.
      if (bad || (errors && /(connect|read|write) [1-9]/.test(errors))) return reject(new Error(`wrk ${path} on port ${port}: ${bad ?? 0} non-2xx, ${errors ?? ''}\n${out}`))
      resolve({ rps, requests })
    })
  })
}
