// The `cache` option of issue 12 for the cached rows, or the reason it cannot be made yet. The
// stores are looked up by module, so these rows skip with a note until the option ships.

/**
 * `{ store }` with the memory store, or with the Redis store on `BENCH_REDIS_URL`; a string saying
 * why not when the store's module is not there (the rows then print that note).
 */
export async function cacheOption(kind) {
  const specifier = `route-handlers/cache/${kind}`
  let module
  try {
    module = await import(specifier)
  } catch (error) {
    return `${specifier} is not importable yet (${error.code ?? error.message})`
  }
  const factory = Object.entries(module).find(([name, value]) => typeof value === 'function' && new RegExp(kind, 'i').test(name))?.[1]
  if (!factory) return `${specifier} exports no ${kind} store factory`
  if (kind === 'memory') return { store: factory() }
  const url = process.env.BENCH_REDIS_URL
  if (!url) return 'no redis-server to run against'
  return { store: factory({ url }) }
}
