import { hasTrailingSlash } from '../trailing-slash.ts'

/** Next.js's prefix for the tags a route gets from its path (`NEXT_CACHE_IMPLICIT_TAG_ID`). */
export const IMPLICIT_TAG_PREFIX = '_N_T_'

/**
 * The tags Next.js gives a route handler's cache entries without being asked
 * (`server/lib/implicit-tags.ts`): one per layout level of the route file's folder path
 * (`_N_T_/layout`, `_N_T_/blog/layout`, …, then `_N_T_/blog/[slug]/route`) and the request's
 * pathname (`_N_T_/blog/hello`), so `revalidatePath('/blog/hello')` and
 * `revalidatePath('/blog/[slug]', 'layout')` reach them. Paths are route-folder paths: the mount
 * prefix is not part of them, as Next's `basePath` is not.
 *
 * @param relativeFile the route file relative to the route folder: `blog/[slug]/route.ts`
 * @param pathname the mount-relative request pathname: `/blog/hello`
 */
export function implicitTags(relativeFile: string, pathname: string): string[] {
  const page = `/${relativeFile.replace(/\.[^./]+$/, '')}`
  const tags = [`${IMPLICIT_TAG_PREFIX}/layout`]
  const parts = page.split('/')
  for (let i = 1; i < parts.length + 1; i++) {
    let current = parts.slice(0, i).join('/')
    if (!current) continue
    if (!current.endsWith('/page') && !current.endsWith('/route')) current = `${current}${current.endsWith('/') ? '' : '/'}layout`
    tags.push(`${IMPLICIT_TAG_PREFIX}${current}`)
  }
  if (pathname) tags.push(`${IMPLICIT_TAG_PREFIX}${pathname}`)
  return tags
}

/**
 * The pathname a cached route answers for, from the path as it was matched: one trailing slash
 * dropped, and what the URL parser would percent-encode (space, `"`, `<`, `>`, `` ` ``, `{`, `}`,
 * controls, non-ASCII) encoded as it does, so `/blog/{x}` and `/blog/%7Bx%7D` are one entry and
 * `revalidatePath('/blog/%7Bx%7D')` reaches it, as in Next.js. Dot segments are left as they are:
 * the URL parser would resolve `/blog/..` to `/`, another route file's path. `/index` stays itself:
 * it is `app/index/route.ts`'s, not the root route's (Next keys them `/index` and `/index/index`).
 */
export function routeCacheKey(pathname: string): string {
  return pathKey(pathname)
}

/**
 * The key of a route's cache entry: {@link routeCacheKey} of the request's path with the mount
 * path the route folder was mounted under, so two mounts sharing a store (Redis, a `cacheHandler`)
 * keep apart what they answered for different URLs, and instances that mount the folder at the
 * same path share entries.
 */
export function mountedCacheKey(basePath: string, pathname: string): string {
  return pathKey(basePath === '' ? pathname : `${basePath}${pathname}`)
}

function pathKey(pathname: string): string {
  const path = hasTrailingSlash(pathname) ? pathname.slice(0, -1) : pathname
  return hasCharacterToEncode(path) ? path.replace(URL_ENCODED_ALL, percentEncoded) : path
}

// The WHATWG URL path percent-encode set (`#` and `?` end a path before it gets here).
const URL_ENCODED_ALL = /[\u0000-\u0020"<>`{}\u007F-\u{10FFFF}]/gu

/**
 * Whether `path` has a character of the set above. A loop over character codes: a cached HIT asks
 * this on every request, and a RegExp test of a short path costs several times more.
 */
function hasCharacterToEncode(path: string): boolean {
  for (let index = 0; index < path.length; index++) {
    const code = path.charCodeAt(index)
    if (code <= 0x20 || code >= 0x7f || code === 0x22 || code === 0x3c || code === 0x3e || code === 0x60 || code === 0x7b || code === 0x7d) return true
  }
  return false
}

// A lone surrogate (only a string made in code has one) cannot be UTF-8: the parser writes U+FFFD.
function percentEncoded(character: string): string {
  try {
    return encodeURIComponent(character)
  } catch {
    return '%EF%BF%BD'
  }
}
