import { createRequire } from 'node:module'
import { routeHandlersError } from '../../errors.ts'
import type { RedisClientLike } from './redis-client.ts'

/** What the store needs from the `redis` package: its client factory. */
export interface RedisModule {
  createClient(options: Record<string, unknown>): RedisClientLike
}

const require = createRequire(import.meta.url)

/**
 * Loads the app's `redis` synchronously (it ships CommonJS), so a missing or too old package fails
 * `redisCache()` at start-up with a typed error naming the fix, rather than every request later.
 * Not a peer dependency: an app on node-redis 4 for its own use (sessions, queues) could not
 * install this package at all (npm's ERESOLVE), though it may never use this store.
 */
export function loadRedis(): RedisModule {
  let loaded: RedisModule & { RESP_TYPES?: unknown }
  try {
    loaded = require('redis') as RedisModule
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes("'redis'")) {
      throw routeHandlersError('RH_ERR_CACHE_REDIS_MISSING', [], { cause: error })
    }
    throw error
  }
  // node-redis 5 exports the RESP type codes the store maps replies with; 4 does not.
  if (loaded.RESP_TYPES === undefined) throw routeHandlersError('RH_ERR_CACHE_REDIS_TOO_OLD', [])
  return loaded
}
