import type { CacheHandlerClass, CacheHandlerContext } from '../cache-handler.ts'
import { routeHandlersError } from '../../errors.ts'
import { loadRedis } from './load-redis.ts'
import type { RedisClientLike } from './redis-client.ts'
import { RedisCacheHandler, type RedisStoreState } from './redis-cache-handler.ts'
import { RedisConnection } from './redis-connection.ts'

/** Which Redis: a URL (the store creates and owns the client) or a node-redis client of the app's. */
export type RedisTarget = { url: string } | { client: RedisClientLike }

export interface RedisCacheOptions {
  /** Put before every key the store writes, so several apps can share one Redis. Default `route-handlers:`. */
  keyPrefix?: string | undefined
  /** How long a command may wait for its reply before it is rejected (the request then goes uncached). Default 500 ms. */
  commandTimeoutMs?: number | undefined
  /**
   * How long one connection attempt may take; also how long the first commands after start-up
   * wait for the first connection. Default 2000 ms.
   */
  connectTimeoutMs?: number | undefined
  /**
   * How long an entry stays in Redis when it carries no `expire` of its own: a `fetch()` or
   * `unstable_cache` entry, a route without `cacheLife`. Default one year, Next.js's `expireTime`.
   */
  defaultExpireSeconds?: number | undefined
  /**
   * The largest entry the store keeps, in bytes (its body and metadata as stored). A larger one is
   * not cached (and any older entry under its key is removed), with a warning naming it once: read
   * back, it would take Redis and the client longer than `commandTimeoutMs` to deliver, and count
   * as an outage. Default 2 MiB (Next.js's limit for a data cache item).
   */
  maxEntryBytes?: number | undefined
}

const ONE_YEAR = 365 * 24 * 60 * 60
const TWO_MIB = 2 * 1024 * 1024
/** Reconnection waits 50 ms, then twice as long each try, up to 2 s, with a little jitter. */
const MAX_RECONNECT_DELAY_MS = 2000

/**
 * The Redis cache store: pass it as `cache: { store }` and every instance on this Redis shares
 * cached responses, `fetch`/`unstable_cache` entries, tag revalidations and single-flight
 * regeneration. Needs the `redis` package (node-redis 5 or later) when given a `url`.
 *
 * When Redis is down every call rejects fast (the cache answers uncached), the process never
 * crashes, and the client reconnects on its own.
 *
 * @example
 * import { redisCache } from 'route-handlers/cache/redis'
 * app.use(routeHandlers({ dir: './app', cache: { store: redisCache({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }) } }))
 */
export function redisCache(target: RedisTarget & RedisCacheOptions, options: RedisCacheOptions = {}): RedisCacheHandler {
  return new RedisCacheHandler(storeState(target, options))
}

/**
 * The same store as a class, the shape Next.js's `cacheHandler` option loads: every instance
 * (Next.js makes one per request) shares one connection.
 *
 * @example
 * // cache-handler.mjs, with `cacheHandler: require.resolve('./cache-handler.mjs')` in next.config.js
 * import { redisCacheHandlerClass } from 'route-handlers/cache/redis'
 * export default redisCacheHandlerClass({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
 */
export function redisCacheHandlerClass(target: RedisTarget & RedisCacheOptions, options: RedisCacheOptions = {}): CacheHandlerClass {
  const state = storeState(target, options)
  return class NextRedisCacheHandler extends RedisCacheHandler {
    constructor(ctx: CacheHandlerContext) {
      super(state, ctx.revalidatedTags)
    }
  }
}

const OPTION_NAMES = new Set(['keyPrefix', 'commandTimeoutMs', 'connectTimeoutMs', 'defaultExpireSeconds', 'maxEntryBytes'])

/**
 * The options given beside the target (`redisCache({ url, keyPrefix })`, as a CommonJS app without
 * types writes them) or after it, the latter winning. A name that is neither an option nor the
 * target's is refused: a misspelt `keyprefix` would otherwise leave every app on the default prefix.
 */
function optionsOf(target: RedisTarget & RedisCacheOptions, options: RedisCacheOptions): RedisCacheOptions {
  const given: Record<string, unknown> = {}
  for (const [source, object] of [['the first argument', target], ['the options', options]] as const) {
    for (const [name, value] of Object.entries(object ?? {})) {
      // An option given as `undefined` (an unset environment variable) is not given.
      if (OPTION_NAMES.has(name)) {
        if (value !== undefined) given[name] = value
      } else if (object === options || (name !== 'url' && name !== 'client')) {
        throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`redisCache(): unknown option \`${name}\` in ${source} (options: ${[...OPTION_NAMES].join(', ')})`])
      }
    }
  }
  return given as RedisCacheOptions
}

function storeState(target: RedisTarget & RedisCacheOptions, given: RedisCacheOptions): RedisStoreState {
  const options = optionsOf(target, given)
  const settings = {
    keyPrefix: options.keyPrefix ?? 'route-handlers:',
    commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs ?? 500),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 2000),
    defaultExpireSeconds: positive('defaultExpireSeconds', options.defaultExpireSeconds ?? ONE_YEAR),
    maxEntryBytes: positive('maxEntryBytes', options.maxEntryBytes ?? TWO_MIB),
  }
  const connection =
    'client' in target && typeof target.client === 'object' && target.client !== null
      ? new RedisConnection(target.client, { ...settings, label: "the app's own client", ownsClient: false })
      : connectToUrl(target, settings)
  return { connection, keyPrefix: settings.keyPrefix, defaultExpireSeconds: settings.defaultExpireSeconds, maxEntryBytes: settings.maxEntryBytes, lockTokens: new Map() }
}

function connectToUrl(target: RedisTarget, settings: { commandTimeoutMs: number; connectTimeoutMs: number }): RedisConnection {
  const url = 'url' in target ? target.url : undefined
  if (typeof url !== 'string' || !URL.canParse(url)) {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`redisCache() needs { url: 'redis://host:6379' } or { client }, got ${JSON.stringify(target)}`])
  }
  const client = loadRedis().createClient({
    url,
    // Commands while disconnected are rejected at once, not queued until Redis returns.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: settings.connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 50),
    },
  })
  return new RedisConnection(client, { ...settings, label: withoutCredentials(url), ownsClient: true })
}

function positive(name: string, value: number): number {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value
  throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`redisCache() option ${name} must be a number above 0, got ${String(value)}`])
}

/** The URL as errors may show it: no user name or password. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  return parsed.href
}
