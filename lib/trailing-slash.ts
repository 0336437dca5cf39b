/**
 * `/x/` of a route file, answered as Next.js answers it with its default `trailingSlash: false`:
 * `308` to `/x`, the query kept, with the `Refresh` header Next adds. The handler then only ever
 * sees its file's own path, on every host.
 */
import { permanentRedirect } from './permanent-redirect.ts'

/** True for a path with one trailing slash to drop (`/x/`; not the root). */
export function hasTrailingSlash(pathname: string): boolean {
  // A character compare: `endsWith` is a builtin call, and every request asks this several times.
  return pathname.length > 1 && pathname.charCodeAt(pathname.length - 1) === SLASH
}

/** `/` as a character code. */
export const SLASH = 0x2f

/**
 * True for the mount prefix's root spelled with a slash (`/api/` under `/api`), which the hosts
 * route as the prefix itself and Next.js redirects to it (`basePath` + `/` → `basePath`).
 * `path`: the request's raw path, without the query.
 */
export function isMountRootWithSlash(path: string, basePath: string): boolean {
  return basePath !== '' && path === `${basePath}/`
}

/**
 * Where a request for `/x/` is redirected: its origin-form target with one trailing slash dropped
 * from the path, the query kept. `null` when the path has none to drop, or when dropping it would
 * leave a target a client reads as another host (`//evil.example/` → `//evil.example`) or as the
 * root.
 */
export function slashlessTarget(target: string): string | null {
  const end = target.search(/[?#]/)
  const path = end === -1 ? target : target.slice(0, end)
  if (path.length < 3 || !path.endsWith('/')) return null
  const location = path.slice(0, -1)
  if (location.startsWith('//') || location.startsWith('/\\')) return null
  return location + (end === -1 ? '' : target.slice(end))
}

/** The `308` for a request whose path ends in a slash, or `null` when it has no safe target. */
export function slashlessRedirect(requestUrl: string): Response | null {
  // The request's own target (path and query, as the host received them) after its origin.
  const location = slashlessTarget(requestUrl.slice(requestUrl.indexOf('/', requestUrl.indexOf('//') + 2)))
  if (location === null) return null
  return permanentRedirect(location)
}
