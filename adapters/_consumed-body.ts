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

/** A rebuilt body: its bytes, and whether they are the client's or the parsed value serialized again. */
export interface ConsumedBody {
  bytes: Uint8Array
  reserialized: boolean
  /**
   * A form rebuilt from a parsed object that does not keep its fields as sent: repeated names
   * come together, `extended: true` takes the brackets off `tags[]`, numeric names come first.
   * Its `formData()` differs from the client's, not only its bytes.
   */
  regrouped: boolean
}

/**
 * The bytes to hand the handler: `req.rawBody` when a parser's `verify` kept it (exact bytes),
 * else `req.body` by its kind (Buffer, string, JSON value, flat urlencoded object). An error
 * naming the parser and the fix when it cannot be rebuilt (multipart, nested urlencoded objects).
 */
export function rebuildConsumedBody(req: ParsedRequest): ConsumedBody | Error {
  const { rawBody, body } = req
  const contentType = req.headers['content-type'] ?? ''
  // No bytes came: express.json() makes `{}` of an empty body, which `request.json()` must not
  // find (Next.js throws "Unexpected end of JSON input", and a handler answers 400).
  if (req.headers['content-length'] === '0') return exact(new Uint8Array(0))
  if (rawBody instanceof Uint8Array) return exact(rawBody)
  if (typeof rawBody === 'string') return textBytes(rawBody, contentType, req)
  if (body instanceof Uint8Array) return exact(body)
  if (typeof body === 'string') return textBytes(body, contentType, req)
  if (/^multipart\//i.test(contentType)) return routeHandlersError('RH_ERR_BODY_CONSUMED', ['multer (or another multipart parser)'])
  if (/[/+]json\b/i.test(contentType) && body !== undefined) return { bytes: Buffer.from(JSON.stringify(body)), reserialized: true, regrouped: false }
  if (/^application\/x-www-form-urlencoded/i.test(contentType) && isFlatForm(body)) {
    const form = new URLSearchParams()
    let regrouped = false
    for (const [name, value] of Object.entries(body)) {
      if (Array.isArray(value) || isArrayIndex(name)) regrouped = true
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, item)
    }
    return { bytes: Buffer.from(form.toString()), reserialized: true, regrouped }
  }
  return routeHandlersError('RH_ERR_BODY_CONSUMED', [parserFor(contentType, body)])
}

// Types whose bodies are text: decoded by a text parser, their bytes come back by encoding again.
const TEXTUAL = /^(?:text\/|application\/(?:json|xml|x-www-form-urlencoded|javascript|graphql)\b|application\/[^;\s]*\+(?:json|xml)\b)/i

/**
 * The bytes of a body a text parser decoded (`express.text()`), encoded again in the charset it
 * was decoded from (UTF-8 unless the type names Latin-1 or ASCII). A body of another type (a
 * catch-all `express.text({ type: '*\/*' })` decoding an upload) or another charset cannot come
 * back as the client's bytes: an error, rather than a file quietly changed.
 */
function textBytes(text: string, contentType: string, req: IncomingMessage): ConsumedBody | Error {
  if (!TEXTUAL.test(contentType)) return routeHandlersError('RH_ERR_BODY_CONSUMED', [`express.text(), which decoded this ${contentType.split(';')[0]?.trim() || 'binary'} body as text,`])
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8'
  if (charset === 'utf-8' || charset === 'utf8') return encodedAgain(Buffer.from(text), text.includes(REPLACEMENT_CHARACTER), req)
  if (LATIN1.has(charset)) return encodedAgain(Buffer.from(text, 'latin1'), false, req)
  return routeHandlersError('RH_ERR_BODY_CONSUMED', [`express.text(), which decoded it from ${charset},`])
}

/** What a UTF-8 decoder puts for bytes that are not UTF-8 (body-parser's, through iconv-lite). */
const REPLACEMENT_CHARACTER = '\uFFFD'

/**
 * Decoded text encoded again is the client's bytes unless decoding changed them: body-parser drops
 * a byte order mark and replaces bytes that are not UTF-8 with U+FFFD, so a webhook's signature over
 * them fails. Told apart by the length the client declared, when it declared one (and sent the
 * body unencoded: an inflated body's length is another); else by a U+FFFD in the text. Either way
 * the handler reads them with the warning a reserialized body gets.
 */
function encodedAgain(bytes: Uint8Array, hasReplacements: boolean, req: IncomingMessage): ConsumedBody {
  const declared = req.headers['content-length']
  const encoding = req.headers['content-encoding']
  const plain = encoding === undefined || encoding.toLowerCase() === 'identity'
  const changed = declared !== undefined && plain ? Number(declared) !== bytes.byteLength : hasReplacements
  return { bytes, reserialized: changed, regrouped: false }
}

const LATIN1 = new Set(['iso-8859-1', 'latin1', 'us-ascii', 'ascii'])

function exact(bytes: Uint8Array): ConsumedBody {
  return { bytes, reserialized: false, regrouped: false }
}

// A name a JavaScript object lists before all others, whatever the order it was set in: an
// integer below 2^32 - 1 in its canonical spelling.
function isArrayIndex(name: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(name) && Number(name) < 2 ** 32 - 1
}

/**
 * Said once by a host when a handler reads as text or bytes a body rebuilt from a parsed value
 * (`express.json()` ran first, or `express.text()` changed the text as it decoded it): what it
 * reads is that value serialized again, whose bytes differ from the client's (spacing, escapes, a
 * byte order mark), so a webhook's signature check over them fails with nothing else to say why (a
 * new-user trial: Stripe's `constructEvent`).
 */
export function reserializedReadWarning(method: string, path: string): string {
  return (
    `route-handlers: ${method} ${path} read its body as text or bytes after the app's body parser (express.json(), express.urlencoded(), express.text()) ` +
    "had parsed it: the handler got the parsed value serialized again, not the bytes the client sent, so a signature check over them " +
    "(Stripe's constructEvent, svix) fails. Mount the route handlers before the body parser, or keep the raw body: " +
    'express.json({ verify: (req, res, buf) => { req.rawBody = buf } }) (express.text() takes the same verify). (Said once.)'
  )
}

/**
 * Said once by a host when a handler reads a form rebuilt from a parsed object that did not keep
 * its fields as sent (see {@link ConsumedBody.regrouped}): `formData().getAll('tags[]')` finds
 * nothing where the client sent `tags[]=a&tags[]=b` and `extended: true` parsed it.
 */
export function regroupedFormWarning(method: string, path: string): string {
  return (
    `route-handlers: ${method} ${path} read a form that the app's express.urlencoded() had parsed, rebuilt from req.body, where ` +
    'fields of one name are kept together, numeric names come first, names such as tags[] or c[0] lose their brackets (extended: true) ' +
    'and __proto__ is left out: formData() may not have the fields as the client sent them. Mount the route handlers before ' +
    'express.urlencoded(), or keep the raw body: express.urlencoded({ verify: (req, res, buf) => { req.rawBody = buf } }). (Said once.)'
  )
}

function isFlatForm(body: unknown): body is Record<string, string | string[]> {
  if (typeof body !== 'object' || body === null) return false
  return Object.values(body).every(
    (value) => typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')),
  )
}

/** The parser that left `body` so, as far as its content type and shape tell. */
function parserFor(contentType: string, body: unknown): string {
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) return 'express.urlencoded({ extended: true }) (nested objects)'
  if (/json/i.test(contentType)) return 'express.json()'
  // A parser whose `type` option takes more than its own types (express.json({ type: '*\/*' })).
  if (typeof body === 'object' && body !== null) return `a body parser that took this ${contentType.split(';')[0]?.trim() || 'untyped'} body for JSON or a form (a type option such as express.json({ type: '*/*' }))`
  return 'a body parser'
}
