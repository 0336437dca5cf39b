import { routeHandlersError } from '../errors.ts'

/**
 * Reads a whole body into memory, refusing more than `limit` bytes: a declared `Content-Length`
 * over the limit fails before anything is read, and a body that grows past it fails as soon as it
 * does, cancelling the stream rather than buffering the rest.
 */
export async function readLimited(body: ReadableStream<Uint8Array>, limit: number, declaredLength: string | null): Promise<Uint8Array> {
  const declared = declaredLength === null ? NaN : Number(declaredLength)
  if (declared > limit) {
    await body.cancel().catch(() => {})
    throw tooLarge(limit, declared)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = body.getReader()
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit, size)
    }
    chunks.push(chunk.value)
  }
  return concat(chunks, size)
}

export function tooLarge(limit: number, bytes: number): Error {
  return routeHandlersError('RH_ERR_BODY_TOO_LARGE', [`the bodyLimit of ${limit} bytes`, bytes])
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
