import { matchedPathnameOf } from '../body/route-request.ts'
import type { RequestStore } from '../context.ts'
import type { NextRequest } from '../next/next-request.ts'
import { implicitTags, routeCacheKey } from './implicit-tags.ts'

/**
 * The mount-relative pathname of the request a store serves, in the form its cached GET is keyed
 * by (the path as matched; see `routeCacheKey`), so one `revalidatePath()` reaches the route's
 * entry and the `fetch`/`unstable_cache` entries it used alike.
 */
export function requestPathname(store: RequestStore): string {
  const matched = matchedPathnameOf(store.request)
  if (matched !== undefined) return routeCacheKey(matched)
  const nextUrl = (store.request as Partial<NextRequest>).nextUrl
  return routeCacheKey(nextUrl?.pathname ?? new URL(store.request.url).pathname)
}

/** The implicit tags of the request a store serves (the soft tags of its `fetch`/`unstable_cache` entries). */
export function requestImplicitTags(store: RequestStore | undefined): string[] {
  if (!store?.route) return []
  return implicitTags(store.route.entry.relativeFile, requestPathname(store))
}
