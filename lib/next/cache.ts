// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/**
 * `next/cache` for route handlers: on-demand revalidation (`revalidateTag`, `revalidatePath`),
 * `unstable_cache`, `unstable_noStore`, `cacheTag`/`cacheLife` for `"use cache"` functions, `io()`,
 * and Next 16.4's `prefetch()`/`navigation()` (which throw Next's error: no Cache Components here).
 */
import { useRequestStore } from '../context.ts'

export { revalidatePath, revalidateTag, updateTag, refresh } from './revalidate.ts'
export { unstable_cache, type UnstableCacheOptions } from './unstable-cache.ts'
export { unstable_noStore, cacheTag, cacheLife, cacheTag as unstable_cacheTag, cacheLife as unstable_cacheLife } from './cache-scope.ts'
export type { CacheLifeProfile } from '../cache/cache-life.ts'
export { io, io as unstable_io } from './io.ts'
export { navigation, prefetch } from './cache-stages.ts'

// revalidateTag() and friends record their work in the request store.
useRequestStore()
