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
 * holding it, or, for `src/app`, the project's folder above) setting what route files depend on and
 * this package takes as options instead, since it reads no next.config: custom `cacheLife`
 * profiles (`cacheLife('catalog')` and `revalidateTag(tag, 'catalog')` would throw on every
 * request) and a `cacheHandler` (entries would stay in this process's memory, not the shared
 * store). Read as text, comments left out: evaluating it would import `next`. One that cannot be
 * read says nothing.
 *
 * @example
 * warnAboutNextConfig('/srv/shop/src/app', { cacheLife: false, store: false }, console.warn)
 */
export function warnAboutNextConfig(dir: string, given: GivenCacheOptions, warn: (message: string) => void): void {
  for (const file of configFiles(dir)) {
    const text = readableText(file)
    if (text === undefined) continue
    if (!given.cacheLife && /\bcacheLife\s*:/.test(text)) {
      warn(
        `route-handlers: "${file}" defines cacheLife profiles, and route-handlers reads no next.config: cacheLife('name') throws ` +
          "for a profile it does not know, and revalidateTag(tag, 'name') revalidates nothing (logged). Pass them as the cache.cacheLife option: { cache: { cacheLife: { … } } }.",
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

// The route folder's own project: the folder holding it, and the one above only when that one is
// not a project of its own (no package.json: `src/` of `src/app`), not a neighbour's in a monorepo.
function configFiles(dir: string): string[] {
  const folders = [dirname(dir)]
  if (!existsSync(join(dirname(dir), 'package.json'))) folders.push(dirname(dirname(dir)))
  return folders.flatMap((folder) => CONFIG_NAMES.map((name) => join(folder, name))).filter((file) => existsSync(file))
}

// The file's text without comments (a setting commented out is not set), or undefined when it
// cannot be read (a folder of that name, no permission).
function readableText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, '$1')
  } catch {
    return undefined
  }
}
