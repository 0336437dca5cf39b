import { createRequire } from 'node:module'
import { routeHandlersError } from '../../errors.ts'
import type { RedisClientLike } from './redis-client.ts'

/** What the store needs from the `redis` package: its client factory. */
export interface RedisModule {
  createClient(options: Record<string, unknown>): RedisClientLike
}

const require = createRequire(import.meta.url)

/**
 * Loads the optional peer dependency `redis` synchronously (it ships CommonJS), so a missing
 * package fails `redisCache()` at start-up with a typed error naming the install command, rather
 * than every request later.
 */
export function loadRedis(): RedisModule {
  try {
    return require('redis') as RedisModule
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes("'redis'")) {
      throw routeHandlersError('RH_ERR_CACHE_REDIS_MISSING', [], { cause: error })
    }
    throw error
  }
}
