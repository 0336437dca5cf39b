/**
 * Node ⇄ Web plumbing shared by every Node host (the standalone server, Express, Fastify): an
 * `IncomingMessage` becomes a `NextRequest`, a Web `Response` is written onto a `ServerResponse`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { NextRequest } from '../lib/next/next-request.ts'
import type { Logger } from '../lib/types.ts'

// A host name or IPv4 address, or a bracketed IPv6 address, with an optional port. Anything else in
// a Host header (spaces, slashes, `@`) would change what the URL means, so it is refused.
const VALID_HOST = /^(?:[a-z0-9](?:[a-z0-9._-]*)|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

/** `scheme://host` for a request, or `null` when the host is missing or hostile (answer 400). */
export function requestOrigin(protocol: string, host: string | undefined): string | null {
  if (host === undefined || !VALID_HOST.test(host)) return null
  return `${protocol}://${host}`
}

/**
 * Builds the handler's request. `url` is absolute (origin + the original path and query, byte for
 * byte); `basePath` is the mount prefix. The signal aborts when the client goes away before the
 * response has finished, watched on the response side: the request's own `close` fires as soon as
 * a POST body has been read.
 */
export function toNextRequest(req: IncomingMessage, res: ServerResponse, url: string, basePath: string): NextRequest {
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  return new NextRequest(url, {
    method,
    headers: toHeaders(req.rawHeaders),
    signal: controller.signal,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    // Node requires `duplex` for a streamed request body; the DOM typings do not know it yet.
    ...(hasBody ? { duplex: 'half' } : {}),
    nextConfig: { basePath },
  } as RequestInit & { nextConfig: { basePath: string } })
}

function toHeaders(rawHeaders: string[]): Headers {
  const headers = new Headers()
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!
    // HTTP/2 pseudo-headers (`:path`) are not headers of the request.
    if (name.startsWith(':')) continue
    headers.append(name, rawHeaders[index + 1]!)
  }
  return headers
}

/**
 * Writes `response` onto `res`: status and headers exactly (one `Set-Cookie` line per cookie,
 * appended after any set earlier by middleware), then the body with backpressure. Never throws:
 * a failure before the head is sent answers 500; after it, the socket is destroyed and the error
 * logged once. A client that goes away cancels the body stream.
 */
export async function sendResponse(res: ServerResponse, response: Response, logger: Logger): Promise<void> {
  try {
    writeHead(res, response)
  } catch (error) {
    void response.body?.cancel().catch(() => {})
    logger.error('route-handlers: the handler returned a response that cannot be sent', error)
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error')
    } else res.destroy()
    return
  }
  if (response.body === null) {
    res.end()
    return
  }
  await pipeBody(res, response.body, logger)
}

function writeHead(res: ServerResponse, response: Response): void {
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.appendHeader('set-cookie', cookies)
  res.writeHead(response.status, response.statusText || undefined)
}

async function pipeBody(res: ServerResponse, body: ReadableStream<Uint8Array>, logger: Logger): Promise<void> {
  const reader = body.getReader()
  const cancel = () => void reader.cancel().catch(() => {})
  res.once('close', cancel)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || res.destroyed) break
      if (!res.write(value)) await drained(res)
    }
    if (!res.destroyed) res.end()
  } catch (error) {
    if (!res.destroyed) {
      logger.error('route-handlers: the response stream failed after the response had started', error)
      res.destroy()
    }
  } finally {
    res.off('close', cancel)
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
