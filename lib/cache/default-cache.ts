import { processGlobal } from '../process-global.ts'
import type { IncrementalCache } from './incremental-cache.ts'

// Next.js's `globalThis.__incrementalCache`: what `unstable_cache` uses outside a request.
const holder = processGlobal('default-cache', () => ({ cache: undefined as IncrementalCache | undefined }))

/** Records the cache of the first route handlers created in the process, for use outside requests. */
export function setDefaultCache(cache: IncrementalCache): void {
  holder.cache ??= cache
}

/** The cache `unstable_cache` uses outside a request, if route handlers were created. */
export function defaultCache(): IncrementalCache | undefined {
  return holder.cache
}
