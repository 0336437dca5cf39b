import { describeValue } from './handler-result.ts'
import { routeHandlersError } from './errors.ts'
import type { RouteEntry } from './route-tree.ts'
import { LONGEST_TIMER_MS } from './timeout-options.ts'

/**
 * A route file's `export const maxDuration` (seconds, Next.js's route segment config), in
 * milliseconds; `undefined` when it exports none or `0`, `Infinity` when it is longer than a timer
 * can wait (about 24.8 days: no limit, rather than the `maxDuration` option's). Anything but a
 * finite number ≥ 0 fails the file's load with `RH_ERR_ROUTE_CONFIG_INVALID`, as it fails
 * `next build`. Fractions are accepted (Next.js wants whole seconds).
 */
export function routeMaxDuration(entry: RouteEntry, exports: Record<string, unknown>): number | undefined {
  const value = exports.maxDuration
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    const got = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : describeValue(value)
    throw routeHandlersError('RH_ERR_ROUTE_CONFIG_INVALID', [entry.relativeFile, 'maxDuration', got, 'a number of seconds'])
  }
  if (value === 0) return undefined
  return value * 1000 > LONGEST_TIMER_MS ? Infinity : value * 1000
}
