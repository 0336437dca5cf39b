/**
 * A path with a backslash or repeated slashes (`/items//x`, `/files/a\b`), answered as Next.js's
 * server answers it before any routing: `308` to the path with each backslash made a slash and each
 * run of slashes one (the query kept as it is). The handler never sees such a path, and the client
 * asks again for the clean one, through the host's routing and its middleware.
 */
import { permanentRedirect } from './permanent-redirect.ts'

/**
 * True for a path (no query) that Next.js redirects to {@link withSingleSlashes}. Two string
 * searches: on Node 20 they take ~30 ns over a 13-character path (a slice of the request target),
 * a `charCodeAt` loop ~40. A verdict kept for the last path asked about cost more still:
 * the next request's path is a new string with the same text, which V8 compares with the kept one
 * character by character in its runtime.
 */
export function hasRepeatedSlashes(path: string): boolean {
  return path.includes('//') || path.includes('\\')
}

/** Next's `normalizeRepeatedSlashes` for a path without its query: `\` → `/`, then `//…` → `/`. */
export function withSingleSlashes(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/\/+/g, '/')
}

/**
 * The `308` for a request whose path has a backslash or repeated slashes (see the top of this
 * file), or `null` when its own target has none: the path that matched was rewritten by the app
 * (Fastify's `rewriteUrl`, an Express middleware changing `req.url`), and a redirect would send
 * the client back where it was, forever.
 */
export function singleSlashRedirect(requestUrl: string): Response | null {
  // The request's own target (path and query, as the host received them) after its origin.
  const target = requestUrl.slice(requestUrl.indexOf('/', requestUrl.indexOf('//') + 2))
  const end = target.search(/[?#]/)
  const location = end === -1 ? withSingleSlashes(target) : withSingleSlashes(target.slice(0, end)) + target.slice(end)
  if (location === target) return null
  return permanentRedirect(location)
}
