import { describeValue } from '../handler-result.ts'
import { routeHandlersError } from '../errors.ts'
import type { RouteEntry } from '../route-tree.ts'
import type { Revalidate } from './cache-handler.ts'

const DYNAMIC = ['auto', 'force-dynamic', 'force-static', 'error'] as const
const FETCH_CACHE = ['auto', 'default-cache', 'only-cache', 'force-cache', 'force-no-store', 'default-no-store', 'only-no-store'] as const
// Next.js's `hasNonStaticMethods`: a file exporting one of these is never statically generated.
const NON_STATIC_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

export type DynamicConfig = (typeof DYNAMIC)[number]
export type FetchCacheConfig = (typeof FETCH_CACHE)[number]

/** A route file's segment config, as far as caching goes (Next.js's `export const dynamic`, …). */
export interface SegmentConfig {
  readonly dynamic: DynamicConfig
  /** `undefined` when the file exports none. */
  readonly revalidate: Revalidate | undefined
  readonly dynamicParams: boolean
  readonly fetchCache: FetchCacheConfig | undefined
  readonly generateStaticParams: ((context: { params: Record<string, never> }) => unknown) | undefined
  /**
   * True when its GET answers are cached (Next 15+: only with `dynamic = 'force-static'` or
   * `'error'`, a `revalidate` other than 0 on a route without params, or a `generateStaticParams`;
   * never for a file that also exports POST, PUT, DELETE, PATCH or OPTIONS, which Next.js never
   * generates statically).
   */
  readonly cachesGet: boolean
}

/**
 * Reads and checks the segment config exports of a route module; a value Next.js would refuse fails
 * the file's load with `RH_ERR_ROUTE_CONFIG_INVALID`, as it fails `next build`.
 */
export function readSegmentConfig(entry: RouteEntry, exports: Record<string, unknown>): SegmentConfig {
  const dynamic = oneOf(entry, exports, 'dynamic', DYNAMIC) ?? 'auto'
  const fetchCache = oneOf(entry, exports, 'fetchCache', FETCH_CACHE)
  const revalidate = exports.revalidate
  // Next's schema: `false` or whole seconds ≥ 0 (`Infinity`, which Next's own code uses for
  // "forever", is let through as `false`).
  if (revalidate !== undefined && revalidate !== false && !(typeof revalidate === 'number' && revalidate >= 0 && (Number.isInteger(revalidate) || revalidate === Infinity))) {
    throw invalid(entry, 'revalidate', revalidate, 'false or a whole number of seconds ≥ 0')
  }
  const dynamicParams = exports.dynamicParams ?? true
  if (typeof dynamicParams !== 'boolean') throw invalid(entry, 'dynamicParams', dynamicParams, 'true or false')
  const generateStaticParams = exports.generateStaticParams
  if (generateStaticParams !== undefined && typeof generateStaticParams !== 'function') {
    throw invalid(entry, 'generateStaticParams', generateStaticParams, 'a function')
  }
  const hasNonStaticMethods = NON_STATIC_METHODS.some((method) => typeof exports[method] === 'function')
  // Next.js's `isStaticGenEnabled`; under `force-dynamic` Next's build makes the revalidate 0. A
  // route with params (`blog/[slug]`) is generated only with `generateStaticParams` or forced
  // static: with a `revalidate` alone, `next build` lists it dynamic (ƒ) and `next start` runs it
  // on every request.
  const hasParams = entry.staticPath === undefined
  const forced = dynamic === 'force-static' || dynamic === 'error'
  const revalidates = revalidate !== undefined && revalidate !== 0 && !hasParams
  const opted = forced || (dynamic === 'auto' && (revalidates || generateStaticParams !== undefined))
  return {
    dynamic,
    revalidate: revalidate as Revalidate | undefined,
    dynamicParams,
    fetchCache,
    generateStaticParams: generateStaticParams as SegmentConfig['generateStaticParams'],
    cachesGet: opted && !hasNonStaticMethods && typeof exports.GET === 'function',
  }
}

function oneOf<T extends string>(entry: RouteEntry, exports: Record<string, unknown>, name: string, values: readonly T[]): T | undefined {
  const value = exports[name]
  if (value === undefined) return undefined
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T
  throw invalid(entry, name, value, `one of ${values.map((v) => `'${v}'`).join(', ')}`)
}

function invalid(entry: RouteEntry, name: string, value: unknown, expected: string) {
  const got = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : describeValue(value)
  return routeHandlersError('RH_ERR_ROUTE_CONFIG_INVALID', [entry.relativeFile, name, got, expected])
}
