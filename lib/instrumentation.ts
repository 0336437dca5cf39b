/**
 * Next.js's instrumentation file, for the `instrumentation` option: `register()` runs once, before
 * any route file loads, as `next start` runs it before it serves (with `process.env.NEXT_RUNTIME`
 * set to `'nodejs'`, which the usual file checks first); `onRequestError` is told of every request
 * that fails with a 5xx, with the arguments Next.js gives it (Sentry's `captureRequestError`
 * reads them).
 */
import { existsSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { isRouteHandlersError, routeHandlersError, type RouteHandlersError } from './errors.ts'
import { describeLoadError } from './load/load-error.ts'
import { processGlobal } from './process-global.ts'
import type { Logger } from './types.ts'

/** The request of Next's `onRequestError(error, request, context)`. */
export interface RequestErrorRequest {
  /** The request target's path and query, as the host received it (mount prefix included). */
  readonly path: string
  readonly method: string
  /** Lower-case names, as Node's `IncomingMessage.headers`. */
  readonly headers: Record<string, string | string[] | undefined>
}

/** The context of Next's `onRequestError(error, request, context)`, for a route handler. */
export interface RequestErrorContext {
  readonly routerKind: 'App Router'
  /** The route file's folder path, as Next.js names it: `/blog/[slug]` (no mount prefix, no route groups). */
  readonly routePath: string
  readonly routeType: 'route'
  /** `'stale'` for a stale cached entry regenerated in the background; otherwise `undefined`. */
  readonly revalidateReason: 'on-demand' | 'stale' | undefined
}

/** Tells the instrumentation file of a failed request; resolves once its hook has settled, never rejects. */
export type RequestErrorReporter = (error: unknown, request: Request, routePath: string, revalidateReason?: 'stale') => Promise<void>

/** The instrumentation file of the options, absolute; throws `RH_ERR_OPTIONS_INVALID` when it names no file. */
export function resolveInstrumentationFile(option: string | undefined): string | undefined {
  if (option === undefined) return undefined
  const file = typeof option === 'string' && option !== '' ? resolve(option) : undefined
  if (file === undefined || !existsSync(file) || !statSync(file).isFile()) {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`instrumentation\` must name a file (instrumentation.ts); got ${JSON.stringify(option)}`])
  }
  return file
}

/** The instrumentation module once loaded and registered; where either failed, what failed. */
export interface Instrumentation {
  /** The module's exports, if it loaded (a `register()` that threw leaves its `onRequestError` in use, as in Next.js). */
  readonly exports?: Record<string, unknown>
  readonly failure?: RouteHandlersError
}

// One registration per file and process, as Next.js registers once per server: two route folders
// (or two mounts of one) naming the same file share it, and its register() runs once.
const started = processGlobal('instrumentation', () => new Map<string, Promise<Instrumentation>>())

/**
 * Loads the file (through the route graph, so `@/` imports, TypeScript and `next/*` work there as in
 * route files, and what it imports is the instance they import) and awaits its `register()`, once
 * per file in the process. Never rejects: a failure comes back as `RH_ERR_INSTRUMENTATION`.
 */
export function startInstrumentation(file: string, load: () => Promise<Record<string, unknown>>): Promise<Instrumentation> {
  let instrumentation = started.get(file)
  if (instrumentation === undefined) started.set(file, (instrumentation = loadAndRegister(file, load)))
  return instrumentation
}

async function loadAndRegister(file: string, load: () => Promise<Record<string, unknown>>): Promise<Instrumentation> {
  const fromHere = relative(process.cwd(), file)
  const name = fromHere === '' || fromHere.startsWith('..') ? file : fromHere
  // Next.js sets it for the Node.js server; instrumentation files branch on it before anything else.
  process.env.NEXT_RUNTIME ??= 'nodejs'
  let exports: Record<string, unknown>
  try {
    exports = await load()
  } catch (error) {
    return { failure: routeHandlersError('RH_ERR_INSTRUMENTATION', [name, describeLoadError(error, file)], { cause: error }) }
  }
  const { register } = exports
  if (typeof register !== 'function') return { exports }
  try {
    await (register as () => unknown)()
    return { exports }
  } catch (error) {
    return { exports, failure: routeHandlersError('RH_ERR_INSTRUMENTATION', [name, error instanceof Error ? error.message : String(error)], { cause: error }) }
  }
}

/**
 * The reporter for a loaded instrumentation file: calls its `onRequestError` (when it has one) for
 * an error the host answers with a 5xx — a handler's exception, a route file that did not load,
 * this package's own 5xx such as a `maxDuration` timeout — and not for a client error (a malformed
 * body the handler read: 400). A hook that throws is logged, as Next.js logs it, and changes
 * nothing of the answer.
 */
export function requestErrorReporter(instrumentation: Promise<Instrumentation>, logger: Logger): RequestErrorReporter {
  return async (error, request, routePath, revalidateReason) => {
    if (isRouteHandlersError(error) && error.status < 500) return
    const onRequestError = (await instrumentation).exports?.onRequestError
    if (typeof onRequestError !== 'function') return
    try {
      await (onRequestError as (error: unknown, request: RequestErrorRequest, context: RequestErrorContext) => unknown)(error, requestInfo(request), {
        routerKind: 'App Router',
        routePath,
        routeType: 'route',
        revalidateReason,
      })
    } catch (hookError) {
      logger.error('route-handlers: the instrumentation file\'s onRequestError threw', hookError)
    }
  }
}

function requestInfo(request: Request): RequestErrorRequest {
  const { url } = request
  return {
    path: url.slice(url.indexOf('/', url.indexOf('//') + 2)),
    method: request.method,
    headers: Object.fromEntries(request.headers),
  }
}
