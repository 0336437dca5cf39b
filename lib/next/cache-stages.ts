/**
 * `prefetch()` and `navigation()` (Next 16.4's `next/cache`): they mark code for partial
 * prefetching under Cache Components, which route-handlers does not have (README: "Not
 * supported"). As under Next.js without `cacheComponents`, a route file that imports them loads,
 * and calling one throws Next's error (trial: the import alone failed the file's load).
 */
import { requestStorage } from '../context.ts'

export function prefetch(): Promise<void> {
  throw cacheComponentsRequired('prefetch')
}

export function navigation(): Promise<void> {
  throw cacheComponentsRequired('navigation')
}

function cacheComponentsRequired(name: string): Error {
  const store = requestStorage.getStore()
  if (!store) return new Error(`\`${name}\` was called outside a request scope. Read more: https://nextjs.org/docs/messages/next-dynamic-api-wrong-context`)
  const route = store.generation?.route ?? store.route?.entry.pattern ?? ''
  return new Error(
    `Route ${route} used \`${name}()\`, which requires Cache Components to be enabled. Learn more: https://nextjs.org/docs/app/api-reference/config/next-config-js/cacheComponents`,
  )
}
