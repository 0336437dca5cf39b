/**
 * A body an earlier parser already read (Express's `express.json()`, `urlencoded()`, `text()`,
 * `raw()`, multer …), rebuilt for the route handler from what the parser left behind.
 */
import type { IncomingMessage } from 'node:http'
import { routeHandlersError } from '../lib/errors.ts'

interface ParsedRequest extends IncomingMessage {
  rawBody?: unknown
  body?: unknown
}

/**
 * The bytes to hand the handler: `req.rawBody` when a parser's `verify` kept it (exact bytes),
 * else `req.body` by its kind (Buffer, string, JSON value, flat urlencoded object). An error
 * naming the parser and the fix when it cannot be rebuilt (multipart, nested urlencoded objects).
 */
export function rebuildConsumedBody(req: ParsedRequest): Uint8Array | Error {
  const { rawBody, body } = req
  const contentType = req.headers['content-type'] ?? ''
  // No bytes came: express.json() makes `{}` of an empty body, which `request.json()` must not
  // find (Next.js throws "Unexpected end of JSON input", and a handler answers 400).
  if (req.headers['content-length'] === '0') return new Uint8Array(0)
  if (rawBody instanceof Uint8Array) return rawBody
  if (typeof rawBody === 'string') return Buffer.from(rawBody)
  if (body instanceof Uint8Array) return body
  if (typeof body === 'string') return Buffer.from(body)
  if (/^multipart\//i.test(contentType)) return routeHandlersError('RH_ERR_BODY_CONSUMED', ['multer (or another multipart parser)'])
  if (/[/+]json\b/i.test(contentType) && body !== undefined) return Buffer.from(JSON.stringify(body))
  if (/^application\/x-www-form-urlencoded/i.test(contentType) && isFlatForm(body)) {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries(body)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, item)
    }
    return Buffer.from(form.toString())
  }
  return routeHandlersError('RH_ERR_BODY_CONSUMED', [parserFor(contentType)])
}

function isFlatForm(body: unknown): body is Record<string, string | string[]> {
  if (typeof body !== 'object' || body === null) return false
  return Object.values(body).every(
    (value) => typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')),
  )
}

function parserFor(contentType: string): string {
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) return 'express.urlencoded({ extended: true }) (nested objects)'
  if (/json/i.test(contentType)) return 'express.json()'
  if (/^text\//i.test(contentType)) return 'express.text()'
  return 'a body parser'
}
