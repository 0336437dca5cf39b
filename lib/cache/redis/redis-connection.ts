import { setTimeout as delay } from 'node:timers/promises'
import { isRouteHandlersError, routeHandlersError } from '../../errors.ts'
import type { RedisClientLike, RedisCommandOptions } from './redis-client.ts'
import type { RedisScript } from './redis-scripts.ts'

/** node-redis's RESP type code for bulk strings (`RESP_TYPES.BLOB_STRING`, the byte `$`). */
const BLOB_STRING = 36
/** Error replies that mean Redis cannot serve for now, rather than that the command is wrong. */
const TRANSIENT_REPLY = /^(?:LOADING|BUSY|READONLY|MASTERDOWN|OOM|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MISCONF)\b/
/** Bulk strings as Buffers, so entry bodies come back byte for byte. */
const BUFFER_REPLIES = { [BLOB_STRING]: Buffer }

export interface RedisConnectionOptions {
  /** Which Redis, for errors: its URL without credentials, or that the client is the app's. */
  label: string
  /** True when the store created the client, so `close()` closes it. */
  ownsClient: boolean
  commandTimeoutMs: number
  connectTimeoutMs: number
}

/**
 * One Redis client as the cache store uses it: every command fails fast when Redis is away and
 * never hangs, so a request is answered uncached instead of waiting.
 *
 * - While the client is not ready (down, reconnecting) a command is rejected at once, without
 *   entering node-redis's offline queue, which would hold it until the server returns. Only in the
 *   first `connectTimeoutMs` after start-up does a command wait for the first connection.
 * - A command sent on a live connection that gets no reply is rejected after `commandTimeoutMs`.
 * - The client's `error` events are listened to, so a lost connection never crashes the process;
 *   node-redis reconnects on its own (the strategy is set where the client is created). Nothing is
 *   logged here: the cache engine logs a store's failures once per outage.
 */
export class RedisConnection {
  readonly client: RedisClientLike
  readonly #options: RedisConnectionOptions
  readonly #startupDeadline: number
  readonly #firstReady: Promise<void>
  readonly #ignoreError = (): void => {}

  constructor(client: RedisClientLike, options: RedisConnectionOptions) {
    this.client = client
    this.#options = options
    this.#startupDeadline = Date.now() + options.connectTimeoutMs
    client.on('error', this.#ignoreError)
    this.#firstReady = client.isReady ? Promise.resolve() : firstReady(client)
    // A client nobody connected yet is connected here; connect() retries until it succeeds.
    if (!client.isOpen) client.connect().catch(this.#ignoreError)
  }

  /** Sends a command; bulk-string replies come back as strings. */
  send(args: ReadonlyArray<string | Buffer>): Promise<unknown> {
    return this.#send(args, { timeout: this.#options.commandTimeoutMs })
  }

  /**
   * Runs a script by its SHA-1; when Redis does not have it (first use, a restart, `SCRIPT
   * FLUSH`), by its source, which Redis then keeps. `forBuffers`: bulk strings come back as Buffers (binary-safe).
   */
  async runScript(script: RedisScript, keys: readonly string[], args: ReadonlyArray<string | Buffer>, forBuffers = false): Promise<unknown> {
    const options: RedisCommandOptions = forBuffers ? { timeout: this.#options.commandTimeoutMs, typeMapping: BUFFER_REPLIES } : { timeout: this.#options.commandTimeoutMs }
    const rest = [String(keys.length), ...keys, ...args]
    try {
      return await this.#send(['EVALSHA', script.sha, ...rest], options)
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error
      return this.#send(['EVAL', script.source, ...rest], options)
    }
  }

  /**
   * Closes the client if the store created it (once: node-redis 5 throws on a second destroy); a
   * client passed in stays the app's to close.
   */
  close(): void {
    if (!this.#options.ownsClient) this.client.off('error', this.#ignoreError)
    else if (this.client.isOpen) this.client.destroy()
  }

  async #send(args: ReadonlyArray<string | Buffer>, options: RedisCommandOptions): Promise<unknown> {
    if (!this.client.isReady) await this.#waitForFirstConnection()
    if (!this.client.isReady) throw this.#unavailable('not connected (it is down or reconnecting)')
    // node-redis's `timeout` covers a command until it is written: one Redis has but does not
    // answer (a frozen server) would wait for as long as the connection lives.
    let timer: NodeJS.Timeout | undefined
    const unanswered = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(this.#unavailable(`no answer within ${this.#options.commandTimeoutMs} ms`)), this.#options.commandTimeoutMs)
    })
    try {
      return await Promise.race([this.client.sendCommand(args, options), unanswered])
    } catch (error) {
      if (isRouteHandlersError(error)) throw error
      // A reply Redis sent (WRONGTYPE, a script error) is a bug to see as it is, not an outage;
      // one saying Redis cannot serve now (loading, busy, a read-only replica, out of memory) is one.
      if (isErrorReply(error) && !TRANSIENT_REPLY.test(error.message)) throw error
      throw this.#unavailable(error instanceof Error ? error.message : String(error), error)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Right after start-up a command waits for the first connection, up to the connect timeout. */
  async #waitForFirstConnection(): Promise<void> {
    const left = this.#startupDeadline - Date.now()
    if (left <= 0) return
    const timer = new AbortController()
    await Promise.race([this.#firstReady, delay(left, undefined, { signal: timer.signal }).catch(() => {})])
    timer.abort()
  }

  #unavailable(reason: string, cause?: unknown): Error {
    return routeHandlersError('RH_ERR_CACHE_REDIS_UNAVAILABLE', [this.#options.label, reason], { cause })
  }
}

/**
 * Whether node-redis rejected with a reply from Redis (its `ErrorReply`, or a subclass: Redis 6+
 * replies come as `SimpleError`), found by name since this package does not import `redis`.
 */
function isErrorReply(error: unknown): error is Error {
  if (!(error instanceof Error)) return false
  for (let prototype = Object.getPrototypeOf(error) as object | null; prototype && prototype !== Error.prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    if ((prototype as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true
  }
  return false
}

/** Resolves on the client's next `ready` event, then stops listening. */
function firstReady(client: RedisClientLike): Promise<void> {
  return new Promise((resolve) => {
    const onReady = (): void => {
      client.off('ready', onReady)
      resolve()
    }
    client.on('ready', onReady)
  })
}
