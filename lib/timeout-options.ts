import { routeHandlersError } from './errors.ts'

/**
 * How long a body read may wait for the client's next bytes before failing with a 408 (the
 * `bodyTimeout` option, in milliseconds as Node's, Fastify's and undici's timeouts are). 60 s is
 * nginx's `client_body_timeout` and Node's `headersTimeout`: long enough for a slow mobile upload
 * that keeps sending, short enough that a client that stops sending does not hold a handler for
 * Node's 300 s `requestTimeout`.
 */
export const DEFAULT_BODY_TIMEOUT_MS = 60_000

/**
 * The longest delay a timer takes (2³¹ − 1 ms, about 24.8 days): Node fires a longer one after
 * 1 ms, with a warning. A longer time limit is no limit, which is what a value that large means.
 */
export const LONGEST_TIMER_MS = 2 ** 31 - 1

/** The `bodyTimeout` option: milliseconds, `0` for none. Throws `RH_ERR_OPTIONS_INVALID` otherwise. */
export function resolveBodyTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_BODY_TIMEOUT_MS
  if (!isDuration(value)) throw invalid('bodyTimeout', value, 'milliseconds (0 for none)')
  return value > LONGEST_TIMER_MS ? 0 : value
}

/**
 * The `maxDuration` option, in seconds as the route export it stands in for: the time budget of
 * routes that export none. `undefined` or `0` for none (the default, as `next start`).
 */
export function resolveMaxDuration(value: number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!isDuration(value)) throw invalid('maxDuration', value, 'seconds (0 for none)')
  return value === 0 || value * 1000 > LONGEST_TIMER_MS ? undefined : value
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function invalid(name: string, value: unknown, unit: string) {
  return routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`${name}\` must be a number of ${unit} (got ${String(value)})`])
}
