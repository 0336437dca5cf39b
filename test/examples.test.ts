import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Starts an example on a free port and resolves with what it printed once it is listening. */
async function startExample(script: string): Promise<{ output: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      if (output.includes('Ctrl+C')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)))
  })
  return {
    output,
    stop: async () => {
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

test('npm start: the standalone demo prints URLs that answer', async () => {
  const example = await startExample('examples/standalone/server.mjs')
  try {
    const urls = [...example.output.matchAll(/curl -i (http:\/\/127\.0\.0\.1:\d+\/\S+)$/gm)].map((match) => match[1]!)
    assert.ok(urls.length >= 4, example.output)
    const statuses = await Promise.all(urls.map(async (url) => (await fetch(url, { redirect: 'manual' })).status))
    assert.deepEqual(statuses, [200, 200, 404, 200, 307])
    const base = urls[0]!.replace(/\/hello$/, '')
    const echo = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' })
    assert.deepEqual(await echo.json(), { received: { hello: 'world' } })
    assert.match(example.output, /curl -i -X POST http:\/\/127\.0\.0\.1:\d+\/echo/)
  } finally {
    await example.stop()
  }
})
