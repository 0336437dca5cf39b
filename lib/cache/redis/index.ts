export { redisCache, redisCacheHandlerClass, type RedisCacheOptions, type RedisTarget } from './redis-cache.ts'
export { RedisCacheHandler } from './redis-cache-handler.ts'
export type { RedisClientLike, RedisCommandOptions } from './redis-client.ts'
