import { requestStorage, type RequestStore } from '../context.ts'
import type { CacheLifeProfile } from '../cache/cache-life.ts'
import { IMPLICIT_TAG_PREFIX } from '../cache/implicit-tags.ts'
import { trackDynamicAccess } from '../cache/static-generation.ts'
import { NextRequest, nextRequestBasePath } from './next-request.ts'

/** Next.js's `NEXT_CACHE_SOFT_TAG_MAX_LENGTH`. */
const SOFT_TAG_MAX_LENGTH = 1024
// Warnings already given, per route handlers (each app's logger hears each warning once).
const warned = new WeakMap<object, Set<string>>()
// Mount paths a revalidatePath() was given with in front, per route handlers (see warnIfUnderMountPath).
const warnedMounts = new WeakMap<object, Set<string>>()

/**
 * Purges cached data for a tag at the end of the request (before its response is sent). Next 16:
 * with a profile (`'max'`, a `cacheLife` profile name, or `{ expire }`) the tagged entries turn
 * stale and are regenerated in the background on their next request; without one they expire at
 * once, and Next's deprecation warning is logged (once per app).
 *
 * @example
 * export async function POST() {
 *   revalidateTag('posts', 'max')
 *   return Response.json({ revalidated: true })
 * }
 */
export function revalidateTag(tag: string, profile?: string | CacheLifeProfile): undefined {
  const store = scopeFor(`revalidateTag ${tag}`)
  if (!profile) {
    warnOnce(
      store,
      '"revalidateTag" without the second argument is now deprecated, add second argument of "max" or use "updateTag". See more info here: https://nextjs.org/docs/messages/revalidate-tag-single-arg',
    )
  }
  addPending(store, [tag], profile)
  return undefined
}

/**
 * Next.js's `updateTag`, which works only inside a Server Action: in a route handler it throws
 * Next's error (use `revalidateTag`).
 *
 * @example
 * updateTag('posts') // throws: use revalidateTag('posts', 'max') in a route handler
 */
export function updateTag(_tag: string): never {
  throw new Error(
    'updateTag can only be called from within a Server Action. ' +
      'To invalidate cache tags in Route Handlers or other contexts, use revalidateTag instead. ' +
      'See more info here: https://nextjs.org/docs/app/api-reference/functions/updateTag',
  )
}

/**
 * Next.js's `refresh`, which works only inside a Server Action: it throws Next's error here.
 *
 * @example
 * refresh() // throws in a route handler
 */
export function refresh(): never {
  throw new Error('refresh can only be called from within a Server Action. See more info here: https://nextjs.org/docs/app/api-reference/functions/refresh')
}

/**
 * Purges the cache entries of a path at the end of the request: `revalidatePath('/blog/hello')`
 * the entry of that pathname, `revalidatePath('/blog/[slug]', 'layout')` every path of that route
 * folder, `revalidatePath('/blog', 'layout')` everything under `/blog`. (`'page'` reaches pages
 * only: a route file's own tag ends in `/route`, in Next.js too.) Paths are route-folder paths
 * (without the mount prefix), as Next's are without its `basePath`.
 *
 * @example
 * export async function POST() {
 *   revalidatePath('/posts')
 *   return Response.json({ revalidated: true })
 * }
 */
export function revalidatePath(originalPath: string, type?: 'layout' | 'page'): undefined {
  if (originalPath.length > SOFT_TAG_MAX_LENGTH) {
    console.warn(
      `Warning: revalidatePath received "${originalPath}" which exceeded max length of ${SOFT_TAG_MAX_LENGTH}. See more info here https://nextjs.org/docs/app/api-reference/functions/revalidatePath`,
    )
    return undefined
  }
  const store = scopeFor(`revalidatePath ${originalPath}`)
  warnIfUnderMountPath(store, originalPath)
  let normalized = `${IMPLICIT_TAG_PREFIX}${removeTrailingSlash(originalPath)}`
  if (type) normalized += `${normalized.endsWith('/') ? '' : '/'}${type}`
  else if (/\[[^/]+\]/.test(originalPath)) {
    warnOnce(
      store,
      `Warning: a dynamic page path "${originalPath}" was passed to "revalidatePath", but the "type" parameter is missing. This has no effect by default, see more info here https://nextjs.org/docs/app/api-reference/functions/revalidatePath`,
    )
  }
  const tags = [normalized]
  if (normalized === `${IMPLICIT_TAG_PREFIX}/`) tags.push(`${IMPLICIT_TAG_PREFIX}/index`)
  else if (normalized === `${IMPLICIT_TAG_PREFIX}/index`) tags.push(`${IMPLICIT_TAG_PREFIX}/`)
  addPending(store, tags, undefined)
  return undefined
}

// The request store, or Next's errors where a revalidation cannot be recorded.
function scopeFor(expression: string): RequestStore {
  const store = requestStorage.getStore()
  if (!store) throw new Error(`Invariant: static generation store missing in ${expression}`)
  const route = store.route?.entry.pattern ?? ''
  if (store.unit?.type === 'cache') {
    throw new Error(
      `Route ${route} used "${expression}" inside a "use cache" which is unsupported. To ensure revalidation is performed consistently it must always happen outside of renders and cached functions. See more info here: https://nextjs.org/docs/app/building-your-application/rendering/static-and-dynamic#dynamic-rendering`,
    )
  }
  if (store.unit?.type === 'unstable-cache') {
    throw new Error(
      `Route ${route} used "${expression}" inside a function cached with "unstable_cache(...)" which is unsupported. To ensure revalidation is performed consistently it must always happen outside of renders and cached functions. See more info here: https://nextjs.org/docs/app/building-your-application/rendering/static-and-dynamic#dynamic-rendering`,
    )
  }
  // While the route is generated for the cache, a revalidation is dynamic work (Next's prerender).
  if (store.generation) trackDynamicAccess(store, expression)
  return store
}

function addPending(store: RequestStore, tags: string[], profile: string | CacheLifeProfile | undefined): void {
  // Inside after() the response has gone: the revalidation is applied at once.
  if (store.phase === 'after') {
    const applying = store.handlers.cache.revalidate(tags.map((tag) => ({ tag, profile })))
    applying.catch((error: unknown) => store.handlers.logger.error('route-handlers: a revalidation inside after() failed', error))
    return
  }
  const pending = (store.pendingRevalidations ??= [])
  const key = JSON.stringify(profile ?? null)
  for (const tag of tags) {
    if (!pending.some((item) => item.tag === tag && JSON.stringify(item.profile ?? null) === key)) pending.push({ tag, profile })
  }
}

function warnOnce(store: RequestStore, message: string): void {
  let given = warned.get(store.handlers)
  if (!given) warned.set(store.handlers, (given = new Set()))
  if (given.has(message)) return
  given.add(message)
  store.handlers.logger.warn(message)
}

/**
 * A path copied from a Next.js app names the route by its URL there (`/api/v2/posts` for
 * `app/api/v2/posts`); mounted at `/api/v2`, the folder's own path is `/posts`, and the copied one
 * reaches nothing. Said once per mount, when the path is no route file's and becomes one's
 * without the mount path in front.
 */
function warnIfUnderMountPath(store: RequestStore, path: string): void {
  const basePath = store.request instanceof NextRequest ? nextRequestBasePath(store.request) : undefined
  const serves = store.handlers.servesPath
  if (!basePath || !serves || (path !== basePath && !path.startsWith(`${basePath}/`))) return
  const folderPath = path.slice(basePath.length) || '/'
  if (serves(path) || !serves(folderPath)) return
  let mounts = warnedMounts.get(store.handlers)
  if (!mounts) warnedMounts.set(store.handlers, (mounts = new Set()))
  if (mounts.has(basePath)) return
  mounts.add(basePath)
  store.handlers.logger.warn(
    `route-handlers: revalidatePath("${path}") starts with the mount path ${basePath}, but it takes the route folder's paths, without the mount path (as Next.js takes them without its basePath): "${folderPath}" names the route at ${path}. Said once for ${basePath}.`,
  )
}

function removeTrailingSlash(path: string): string {
  return path.replace(/\/$/, '') || '/'
}
