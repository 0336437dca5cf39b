// Starting a benchmark server in its own process pinned to CPU 0, and reading its CPU time.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { SERVER_CPU } from './_wrk.mjs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/**
 * Runs `node <script> ...args` on CPU 0 and waits for its first stdout line, a JSON object with at
 * least its `port`; resolves with that object plus `pid` and `stop()`. The node is this one, or the
 * binary BENCH_NODE_BIN names (run.mjs sets it for BENCH_NODE).
 */
export async function startServer(script, args, { env, nodeArgs = [] } = {}) {
  const node = process.env.BENCH_NODE_BIN || process.execPath
  const child = spawn('taskset', ['-c', SERVER_CPU, node, ...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  let buffered = ''
  const exit = once(child, 'exit')
  const exited = exit.then(([code]) => {
    throw new Error(`${script} ${args.join(' ')} exited with ${code} before listening`)
  })
  const line = new Promise((resolve) => {
    child.stdout.on('data', function onData(data) {
      buffered += data
      const end = buffered.indexOf('\n')
      if (end === -1) return
      child.stdout.off('data', onData)
      resolve(JSON.parse(buffered.slice(0, end)))
    })
  })
  const info = await Promise.race([line, exited])
  exited.catch(() => {})
  return {
    ...info,
    pid: child.pid,
    async stop() {
      child.kill()
      await exit
    },
  }
}

/** The process's user + system CPU time in ms, from /proc/<pid>/stat. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

/** The server's RSS now and its peak since the last call (sampled every 5 ms by the server). */
export async function rssOf(port) {
  const response = await fetch(`http://127.0.0.1:${port}/__rss`)
  return response.json()
}
