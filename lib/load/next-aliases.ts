import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

// This file runs as `.ts` from source (tests, tsx) and as `.js` once built; the aliases point at
// the sibling modules of this same copy, so route files share its classes and request store.
const extension = extname(fileURLToPath(import.meta.url))

/** A URL inside this copy of the package, in the same flavour (source or built) as this file. */
export function ownModuleUrl(relativePath: string): string {
  return new URL(`${relativePath}${extension}`, import.meta.url).href
}

const NEXT_MODULES = ['server', 'headers', 'navigation', 'cache']

/**
 * The bare specifiers this package answers for every module of a route graph, `node_modules`
 * included: Next.js's server modules, and `server-only`/`client-only` as Next resolves them on the
 * server (the first empty, the second throwing). Route files get these whether or not `next` is
 * installed.
 */
export function graphAliases(): Record<string, string> {
  const aliases: Record<string, string> = {}
  for (const name of NEXT_MODULES) {
    const target = ownModuleUrl(`../next/${name}`)
    aliases[`next/${name}`] = target
    aliases[`next/${name}.js`] = target
  }
  aliases['server-only'] = ownModuleUrl('../next/server-only')
  aliases['client-only'] = ownModuleUrl('../next/client-only')
  // What a compiled `"use cache"` function calls (see use-cache-directive.ts), by Next's own name.
  aliases['private-next-rsc-cache-wrapper'] = ownModuleUrl('../cache/use-cache-wrapper')
  return aliases
}
