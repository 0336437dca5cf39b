// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/**
 * `next/cache` for route handlers: on-demand revalidation (`revalidateTag`, `revalidatePath`),
 * `unstable_cache`, `unstable_noStore`, `cacheTag`/`cacheLife` for `"use cache"` functions, and `io()`.
 */
import { useRequestStore } from '../context.ts'

export { revalidatePath, revalidateTag, updateTag, refresh } from './revalidate.ts'
export { unstable_cache, type UnstableCacheOptions } from './unstable-cache.ts'
export { unstable_noStore, cacheTag, cacheLife, cacheTag as unstable_cacheTag, cacheLife as unstable_cacheLife } from './cache-scope.ts'
export type { CacheLifeProfile } from '../cache/cache-life.ts'
export { io, io as unstable_io } from './io.ts'

// revalidateTag() and friends record their work in the request store.
useRequestStore()
