import type { CacheHandlerValue, IncrementalCacheValue } from '../cache-handler.ts'

/**
 * How an entry is laid out in one Redis string: `lastModified\ntags\nmeta\nbody`. `lastModified`
 * is written by the store's script (the server's clock); `tags` is a JSON array (the script reads
 * it to check tag expiry); `meta` is the value as JSON without its body; `body` is a route
 * response's bytes as they are, so binary bodies cost nothing extra. JSON never holds a raw line
 * break, which is what lets `\n` separate the parts.
 */
const NEWLINE = 0x0a

/** The parts the store writes (the script prepends `lastModified`). */
export interface EncodedEntry {
  tags: string
  /** `meta\nbody`. */
  payload: Buffer
}

export function encodeEntry(value: IncrementalCacheValue, tags: readonly string[]): EncodedEntry {
  if (value.kind === 'APP_ROUTE') {
    const { body, ...meta } = value
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body as Uint8Array)
    return { tags: JSON.stringify(tags), payload: Buffer.concat([Buffer.from(`${JSON.stringify(meta)}\n`), bytes]) }
  }
  // Every other kind (FETCH, and the page kinds a Next.js app stores) as JSON, Buffers and Maps kept.
  return { tags: JSON.stringify(tags), payload: Buffer.from(`${JSON.stringify(value, keepBinary)}\n`) }
}

/** The entry a frame holds. */
export function decodeEntry(frame: Buffer): CacheHandlerValue {
  const afterLastModified = frame.indexOf(NEWLINE)
  const afterTags = frame.indexOf(NEWLINE, afterLastModified + 1)
  const afterMeta = frame.indexOf(NEWLINE, afterTags + 1)
  const lastModified = Number(frame.toString('latin1', 0, afterLastModified))
  const meta = JSON.parse(frame.toString('utf8', afterTags + 1, afterMeta), restoreBinary) as IncrementalCacheValue
  const value: IncrementalCacheValue =
    meta.kind === 'APP_ROUTE' ? { ...meta, body: Buffer.from(frame.subarray(afterMeta + 1)) } : meta
  return { lastModified, value }
}

/** JSON.stringify replacer: Buffers as base64 and Maps as entry lists, marked to be restored. */
function keepBinary(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]
  if (Buffer.isBuffer(original)) return { $binary: original.toString('base64') }
  if (original instanceof Map) return { $map: [...original] }
  return value
}

function restoreBinary(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if ('$binary' in value && typeof value.$binary === 'string') return Buffer.from(value.$binary, 'base64')
  if ('$map' in value && Array.isArray(value.$map)) return new Map(value.$map as Array<[unknown, unknown]>)
  return value
}
