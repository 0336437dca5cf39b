import { overLimit, type BodyLimits } from './limits.ts'
import { readLimited } from './read-limited.ts'

/**
 * `formData()` for `application/x-www-form-urlencoded` bodies, as undici (and so Next.js) parses
 * them: the bytes are decoded as UTF-8 keeping a byte order mark, then read by `URLSearchParams`,
 * the URL standard's parser. So raw UTF-8 (`raw=ünï ✓` unescaped, as some clients send) is text, a
 * `charset` parameter is ignored, and a stray `%zz` stays as written. (busboy decodes unescaped
 * bytes as latin1 and rejects `%zz`.) The body is read whole within `bodyLimit`, then checked
 * against `multipart.fields` and `multipart.fieldSize`.
 */
export async function parseUrlEncoded(body: ReadableStream<Uint8Array>, declaredLength: string | null, limits: BodyLimits): Promise<FormData> {
  const bytes = await readLimited(body, limits.bodyLimit, declaredLength)
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  const form = new FormData()
  let fields = 0
  for (const [name, value] of new URLSearchParams(text)) {
    if (++fields > limits.multipart.fields) throw overLimit(limits.multipart, 'fields')
    if (Buffer.byteLength(value) > limits.multipart.fieldSize) throw overLimit(limits.multipart, 'fieldSize')
    form.append(name, value)
  }
  return form
}
