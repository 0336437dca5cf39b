import { createRequire } from 'node:module'

// An installed `next` package's request-scoped entry points (CommonJS files: Node keeps whoever
// loaded them, `import` included, in the require cache). Route graphs never load them: their
// `next/headers`, `next/navigation` and `next/cache` are this package's.
const REAL_NEXT_ENTRY = /[\\/]node_modules[\\/]next[\\/](?:headers|navigation|cache)\.js$/

const cache = createRequire(import.meta.url).cache

/**
 * The request-scoped `next/*` files of an installed Next.js that the process has loaded: a module
 * the app imported itself, outside any route folder (a workspace package with next-auth's
 * `auth()`, a shared `lib/auth`), got Node's answer for them, and in a route handler Next.js's
 * functions there find no request of theirs ("`headers` was called outside a request scope").
 */
export function realNextEntriesLoaded(): string[] {
  return Object.keys(cache).filter((file) => REAL_NEXT_ENTRY.test(file))
}

/** What the app should know when it loaded `file`, one of those entry points, itself. */
export function realNextWarning(file: string): string {
  return (
    `route-handlers: the app loaded Next.js's own ${file} outside the route folder, so a module it imported itself before the route files ` +
    "(a workspace package calling next-auth's auth(), a shared lib/auth) is bound to Next.js's functions, which throw \"called outside a request scope\" " +
    'in route handlers. Import such modules after `await routes.ready()` (the app then shares the route files\' instance), or keep next/* imports out ' +
    'of the modules the app imports itself. A process that also runs Next.js itself loads it on purpose.'
  )
}
