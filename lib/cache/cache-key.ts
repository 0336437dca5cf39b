import { createHash } from 'node:crypto'

/** Next.js's cache key version for `fetch()` and `unstable_cache` entries. */
const CACHE_KEY_VERSION = 'v3'

/** What of a `fetch()` call makes its cache key (Next's `IncrementalCache.generateCacheKey`). */
export interface FetchKeyParts {
  method?: string
  headers?: Record<string, string>
  mode?: string
  redirect?: string
  credentials?: string
  referrer?: string
  referrerPolicy?: string
  integrity?: string
  cache?: string
  /** The request body as text, when it has one. */
  body?: string[]
}

/**
 * The key of a `fetch()` (`url` and its init) or `unstable_cache` (an invocation key, empty init)
 * entry: the SHA-256 of the parts, in Next.js's order, so equal calls share an entry.
 */
export function fetchCacheKey(url: string, parts: FetchKeyParts = {}, prefix = ''): string {
  const material = JSON.stringify([
    CACHE_KEY_VERSION,
    prefix,
    url,
    parts.method,
    parts.headers ?? {},
    parts.mode,
    parts.redirect,
    parts.credentials,
    parts.referrer,
    parts.referrerPolicy,
    parts.integrity,
    parts.cache,
    parts.body ?? [],
  ])
  return createHash('sha256').update(material).digest('hex')
}
