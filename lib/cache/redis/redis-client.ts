/**
 * The part of a node-redis client (`redis` 5 or later, `createClient()`) the Redis store uses,
 * written out here so the package's types never import `redis`: it is an optional peer dependency,
 * and a user who does not use this store must be able to type-check without it.
 */
export interface RedisClientLike {
  /** True once `connect()` was called and until the client is closed. */
  readonly isOpen: boolean
  /** True while the connection is up and commands are sent straight away. */
  readonly isReady: boolean
  connect(): Promise<unknown>
  /** node-redis's raw command call; `options` are its `CommandOptions`. */
  sendCommand(args: ReadonlyArray<string | Buffer>, options?: RedisCommandOptions): Promise<unknown>
  on(event: 'error' | 'ready' | 'end', listener: (...args: unknown[]) => void): unknown
  off(event: 'error' | 'ready' | 'end', listener: (...args: unknown[]) => void): unknown
  /** Closes the connection without waiting for replies (node-redis `destroy()`). */
  destroy(): unknown
}

/** The node-redis `CommandOptions` the store passes (a per-command timeout, Buffer replies). */
export interface RedisCommandOptions {
  timeout?: number
  typeMapping?: Record<number, unknown>
}
