import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const CONFIG_NAMES = ['next.config.js', 'next.config.mjs', 'next.config.ts', 'next.config.cjs', 'next.config.mts']

/** What of the `cache` option the app gave: a next.config setting it stands for is then taken care of. */
export interface GivenCacheOptions {
  cacheLife: boolean
  store: boolean
}

/**
 * Start-up warnings for a Next.js project's `next.config.*` beside the route folder (in the folder
 * holding it, or the one above, as for `src/app`) setting what route files depend on and this
 * package takes as options instead, since it reads no next.config: custom `cacheLife` profiles
 * (`cacheLife('catalog')` and `revalidateTag(tag, 'catalog')` would throw on every request) and a
 * `cacheHandler` (entries would stay in this process's memory, not the shared store). Read as
 * text: evaluating it would import `next`.
 *
 * @example
 * warnAboutNextConfig('/srv/shop/src/app', { cacheLife: false, store: false }, console.warn)
 */
export function warnAboutNextConfig(dir: string, given: GivenCacheOptions, warn: (message: string) => void): void {
  for (const file of configFiles(dir)) {
    const text = readFileSync(file, 'utf8')
    if (!given.cacheLife && /\bcacheLife\s*:/.test(text)) {
      warn(
        `route-handlers: "${file}" defines cacheLife profiles, and route-handlers reads no next.config: cacheLife('name') and ` +
          "revalidateTag(tag, 'name') throw for a profile it does not know. Pass them as the cache.cacheLife option: { cache: { cacheLife: { … } } }.",
      )
    }
    if (!given.store && /\bcacheHandler\s*:/.test(text)) {
      warn(
        `route-handlers: "${file}" sets a cacheHandler, and route-handlers reads no next.config: cached responses stay in this process's memory. ` +
          "Pass the handler as the cache.store option: { cache: { store: require('./cache-handler.js') } }.",
      )
    }
  }
}

function configFiles(dir: string): string[] {
  const folders = [dirname(dir), dirname(dirname(dir))]
  return [...new Set(folders)].flatMap((folder) => CONFIG_NAMES.map((name) => join(folder, name))).filter((file) => existsSync(file))
}
