import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The global a Next.js server defines for the code it runs (its node-environment-baseline):
 * `AsyncLocalStorage`, which libraries made for Next.js construct at import time
 * (`@axiomhq/nextjs`: `new globalThis.AsyncLocalStorage()`), and React's server builds look for.
 * Set only where the process has none, as Next.js does.
 */
export function defineNextGlobals(): void {
  const global = globalThis as { AsyncLocalStorage?: unknown }
  if (typeof global.AsyncLocalStorage !== 'function') global.AsyncLocalStorage = AsyncLocalStorage
}
