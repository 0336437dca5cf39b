import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

// This file runs as `.ts` from source (tests, tsx) and as `.js` once built; the aliases point at
// the sibling modules of this same copy, so route files share its classes and request store.
const extension = extname(fileURLToPath(import.meta.url))

/** A URL inside this copy of the package, in the same flavour (source or built) as this file. */
export function ownModuleUrl(relativePath: string): string {
  return new URL(`${relativePath}${extension}`, import.meta.url).href
}

/**
 * The bare specifiers a route file may import from Next.js, mapped to this package's modules.
 * Route files get these whether or not `next` is installed.
 */
export function nextAliases(): Record<string, string> {
  const aliases: Record<string, string> = {}
  for (const name of ['server', 'headers', 'navigation']) {
    const target = ownModuleUrl(`../next/${name}`)
    aliases[`next/${name}`] = target
    aliases[`next/${name}.js`] = target
  }
  return aliases
}
