/**
 * A real `redis-server` for the Redis cache tests: on a free 127.0.0.1 port, no persistence, no
 * config file. `kill()` (SIGKILL, an outage), `restart()` (same port, empty) and `freeze()` (no
 * answers on open connections) drive the outage tests; every server left running is killed when the process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Stops the server with SIGKILL: connections drop at once, as when a host dies. */
  kill(): Promise<void>
  /** Starts it again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>
  /** Stops the process (SIGSTOP): connections stay open and commands get no answer, until `thaw()`. */
  freeze(): void
  thaw(): void
  /** Stops it for good. */
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Starts a redis-server on a free port; resolves once it accepts connections. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  let child = await launch(port)
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
    running.delete(child)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill()
      child = await launch(port)
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    stop: kill,
  }
}

async function launch(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      if (output.includes('Ready to accept connections')) resolve()
    })
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.once('error', (error) => reject(new Error(`redis-server could not start (run scripts/ensure-redis.mjs): ${error.message}`)))
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)))
  })
  // Keep draining its log, so a full pipe never blocks the server.
  child.stdout!.resume()
  return child
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}
