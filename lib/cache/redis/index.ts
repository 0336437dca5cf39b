// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
export { redisCache, redisCacheHandlerClass, type RedisCacheOptions, type RedisTarget } from './redis-cache.ts'
export { RedisCacheHandler } from './redis-cache-handler.ts'
export type { RedisClientLike, RedisCommandOptions } from './redis-client.ts'
