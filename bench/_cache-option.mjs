// The `cache` option for the cached rows (issue 12): the default in-memory store, or the Redis
// store (`route-handlers/cache/redis`) on `BENCH_REDIS_URL`.
import { MemoryCacheHandler } from 'route-handlers'

/** `{ store }` for `kind`, or a string saying why the row cannot run. */
export async function cacheOption(kind) {
  if (kind === 'memory') return { store: new MemoryCacheHandler() }
  const url = process.env.BENCH_REDIS_URL
  if (!url) return 'no redis-server to run against'
  const { redisCache } = await import('route-handlers/cache/redis')
  return { store: redisCache({ url }) }
}
