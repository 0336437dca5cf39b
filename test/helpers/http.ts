import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Sends raw bytes to a server and resolves with everything it answers until it closes the
 * connection (or `timeoutMs` passes), for requests `fetch` cannot express (a hostile Host header).
 */
export function rawRequest(port: number, raw: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    socket.setTimeout(timeoutMs, () => {
      socket.destroy()
      resolve(answer)
    })
    socket.end(raw)
  })
}

/** Polls `condition` every 10 ms for up to two seconds; resolves whether it became true. */
export async function eventually(condition: () => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (condition()) return true
    await sleep(10)
  }
  return condition()
}

/**
 * Starts reading a streamed response, then goes away mid-stream. Asks for no compression, which
 * would hold the first chunk back, and gives up after five seconds rather than hang the suite.
 */
export async function disconnectMidStream(url: string): Promise<void> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error(`no first chunk from ${url} within 5 s`)), 5000)
  const response = await fetch(url, { signal: controller.signal, headers: { 'accept-encoding': 'identity' } })
  const reader = response.body!.getReader()
  try {
    await reader.read()
  } finally {
    clearTimeout(timer)
  }
  controller.abort()
  await reader.closed.catch(() => {})
}
