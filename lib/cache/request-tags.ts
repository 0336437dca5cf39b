import type { RequestStore } from '../context.ts'
import type { NextRequest } from '../next/next-request.ts'
import { implicitTags, routeCacheKey } from './implicit-tags.ts'

/** The mount-relative pathname of the request a store serves. */
export function requestPathname(store: RequestStore): string {
  const nextUrl = (store.request as Partial<NextRequest>).nextUrl
  return routeCacheKey(nextUrl?.pathname ?? new URL(store.request.url).pathname)
}

/** The implicit tags of the request a store serves (the soft tags of its `fetch`/`unstable_cache` entries). */
export function requestImplicitTags(store: RequestStore | undefined): string[] {
  if (!store?.route) return []
  return implicitTags(store.route.entry.relativeFile, requestPathname(store))
}
