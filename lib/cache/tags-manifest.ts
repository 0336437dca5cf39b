import type { TagRevalidation } from './cache-handler.ts'

/**
 * Next.js 16's tags manifest (`server/lib/incremental-cache/tags-manifest.external.ts`): for each
 * tag, when it was last made stale (`revalidateTag(tag, profile)`) and when it expires
 * (`revalidateTag(tag)`, `updateTag`, `revalidatePath`, or a profile's `expire` later).
 */
export type TagsManifest = Map<string, TagRevalidation>

/**
 * Milliseconds since the epoch, with a fraction: an entry written and a tag revalidated within the
 * same millisecond still tell which came first (Next.js times its cache with `performance` too).
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now()
}

/** Records a revalidation of `tags` now: expired at once without `durations`, else stale now and expired after `durations.expire` seconds. */
export function recordRevalidation(manifest: TagsManifest, tags: readonly string[], durations?: { expire?: number }, now = preciseNow()): void {
  for (const tag of tags) {
    const previous = manifest.get(tag) ?? {}
    if (!durations) {
      manifest.set(tag, { ...previous, expired: now })
      continue
    }
    const next: TagRevalidation = { ...previous, stale: now }
    if (durations.expire !== undefined) next.expired = now + durations.expire * 1000
    manifest.set(tag, next)
  }
}

/** True when one of `tags` expired after the entry was written (and the expiry has come). */
export function areTagsExpired(manifest: ReadonlyMap<string, TagRevalidation>, tags: readonly string[], lastModified: number): boolean {
  // The clock is read only for a tag that has an expiry (most lookups find none).
  for (const tag of tags) {
    const expired = manifest.get(tag)?.expired
    if (typeof expired === 'number' && expired > lastModified && expired <= preciseNow()) return true
  }
  return false
}

/** True when one of `tags` was made stale after the entry was written. */
export function areTagsStale(manifest: ReadonlyMap<string, TagRevalidation>, tags: readonly string[], lastModified: number): boolean {
  for (const tag of tags) {
    const stale = manifest.get(tag)?.stale
    if (typeof stale === 'number' && stale > lastModified) return true
  }
  return false
}
