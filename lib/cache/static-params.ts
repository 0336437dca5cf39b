import type { LoadedRoute } from '../loaded-route.ts'
import type { Params } from '../types.ts'

// What each route module's generateStaticParams() listed, asked once it answers (Next.js asks at build time).
const listed = new WeakMap<LoadedRoute, Promise<Record<string, unknown>[]>>()

/**
 * `export const dynamicParams = false`: only the params `generateStaticParams()` lists are served
 * (Next.js answers the others 404); a route without `generateStaticParams` serves none of its
 * dynamic paths. With `dynamicParams` true (the default), every path is served.
 */
export async function staticParamsAllow(route: LoadedRoute, params: Params): Promise<boolean> {
  if (route.config.dynamicParams || route.entry.staticPath !== undefined) return true
  // `/docs` of `docs/[[...slug]]` too: served only when listed (`{}` or `{ slug: [] }`), as in Next.js.
  return isListed(route, params)
}

/**
 * True when `generateStaticParams()` lists `params` (the paths `next build` prerenders), each of
 * the route's params compared: an optional catch-all's absent value is an entry's absent or
 * empty one (`/docs` for `docs/[[...slug]]` is listed only as `{}` or `{ slug: [] }`).
 */
export async function isListed(route: LoadedRoute, params: Params): Promise<boolean> {
  const names = route.entry.shape.flatMap((piece) => (piece.kind === 'static' ? [] : [piece.name]))
  return (await listedParams(route)).some((entry) => names.every((name) => sameParam(entry?.[name], params[name])))
}

/** What the route's `generateStaticParams()` lists (none without one), asked once it answers. */
export function listedParams(route: LoadedRoute): Promise<Record<string, unknown>[]> {
  const generate = route.config.generateStaticParams
  if (!generate) return Promise.resolve([])
  let list = listed.get(route)
  if (!list) {
    list = Promise.resolve()
      .then(() => generate.call(undefined, { params: {} }))
      .then((value) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []))
    // A failure (its data source not up yet) answers this request with the error; the next asks again.
    list.catch(() => listed.delete(route))
    listed.set(route, list)
  }
  return list
}

/**
 * The mount-relative path one listed entry names (`{ slug: 'a b' }` → `/blog/a%20b`), each value
 * spelled as clients send it (so its cache entry is theirs), or `undefined` when the entry lacks
 * one of the route's params.
 */
export function listedPath(route: LoadedRoute, entry: Record<string, unknown>): string | undefined {
  let path = ''
  for (const piece of route.entry.shape) {
    if (piece.kind === 'static') {
      path += `/${piece.wire}`
      continue
    }
    const value = entry?.[piece.name]
    if (piece.kind === 'dynamic') {
      if (value === undefined || value === null || String(value) === '') return undefined
      path += `/${segmentAsSent(String(value))}`
    } else if (Array.isArray(value) && value.length > 0) {
      path += value.map((part) => `/${segmentAsSent(String(part))}`).join('')
    } else if (piece.kind === 'catch-all' || (value !== undefined && !Array.isArray(value))) {
      return undefined
    }
  }
  return path === '' ? '/' : path
}

function sameParam(listedValue: unknown, value: string | string[] | undefined): boolean {
  if (value === undefined) return listedValue === undefined || (Array.isArray(listedValue) && listedValue.length === 0)
  if (Array.isArray(value)) return Array.isArray(listedValue) && listedValue.length === value.length && value.every((part, i) => String(listedValue[i]) === part)
  return String(listedValue) === value
}

// What a URL client sends for a path segment holding `value`: what ends or splits a segment, `%`,
// and what the URL parser would drop or trim (tab, newlines, controls, spaces at the end)
// percent-encoded, and the rest as the parser leaves or encodes it (`a:b` stays `a:b`, `é` is
// `%C3%A9`). A dot segment is left as it is (no request can have it as a param).
function segmentAsSent(value: string): string {
  if (value === '.' || value === '..') return value
  const escaped = value.replace(/[\u0000-\u0020\u007F%/\\?#]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
  return new URL(`http://segment.invalid/${escaped}`).pathname.slice(1)
}
