import type { NextRequest } from './next/next-request.ts'
import type { RouteHandlersError } from './errors.ts'
import type { MultipartLimits, OptionalOptions } from './body/limits.ts'
import type { CacheOptions } from './cache/cache-options.ts'

/** The methods a route file may export, as Next.js lists them. */
export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** Route parameters: `[slug]` gives a string, `[...slug]` and `[[...slug]]` a string array. */
export type Params = Record<string, string | string[]>

/**
 * `params` in every Next.js style: `params.slug` (Next 13/14), `(await params).slug` and
 * `const { slug } = await params` (Next 15/16), and zod's or valibot's `parse(context)` (Next 14).
 *
 * At run time it is a plain object of the params whose prototype has a non-enumerable `then`, and
 * nothing else of a promise: no `catch` or `finally` (zod 3 takes an object with both `then` and
 * `catch` for a promise). The type says `Promise<P>` so that handlers written for Next 15
 * (`{ params }: { params: Promise<{ slug: string }> }`) are assignable to {@link RouteHandler}.
 *
 * @example
 * export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
 *   const { slug } = await params
 *   return Response.json({ slug })
 * }
 */
export type AwaitableParams<P extends Params = Params> = P & Promise<P>

/** The second argument of a route handler. */
export interface RouteContext<P extends Params = Params> {
  params: AwaitableParams<P>
}

/**
 * A route handler: an exported `GET`, `POST`, … function.
 *
 * @example
 * export const GET: RouteHandler<{ slug: string }> = async (request, { params }) =>
 *   Response.json({ slug: (await params).slug })
 */
export type RouteHandler<P extends Params = Params> = (
  request: NextRequest,
  context: RouteContext<P>,
) => Response | Promise<Response>

/**
 * What a route file looks like once loaded: any of the uppercase method exports. Each handler may
 * type its own params (`{ params: Promise<{ slug: string }> }` or `{ params: { slug: string } }`).
 *
 * @example
 * export const routes = { GET, POST } satisfies RouteModule
 */
// `never` params: the one context every handler's own params type accepts.
export type RouteModule = Partial<Record<HttpMethod, RouteHandler<never>>>

/** One route file, as discovered at start-up. */
export interface RouteInfo {
  /** The URL pattern in Next.js notation, relative to the mount point: `/blog/[slug]`. */
  readonly pattern: string
  /** Absolute path of the route file. */
  readonly file: string
  /** The methods the file exports (empty until the file has loaded; see `ready()`). */
  readonly methods: readonly HttpMethod[]
}

/** The result of matching a pathname against the route table. */
export interface RouteMatch {
  readonly route: RouteInfo
  /** Decoded parameters (a null-prototype object). */
  readonly params: Params
  /**
   * The mount-relative path that matched, raw, as the request spelled it (`/blog/a%20b`): what a
   * cached GET is keyed by, so an entry always belongs to the file that matched.
   */
  readonly pathname: string
  /**
   * Set when the path matched but a parameter cannot be used: malformed percent-encoding (400), or
   * longer than `maxParamLength` (414). `handle()` answers with the error's status.
   */
  readonly error?: RouteHandlersError
}

/** Where the package writes what it has to say (warnings at load, errors once per failed stream). */
export interface Logger {
  warn(message: string): void
  error(message: string, error?: unknown): void
  /**
   * The logger for a failure that belongs to one request (its `after()` or `waitUntil()` work), so
   * the line can name it: the Fastify plugin's default gives that request's `request.log`, with its
   * `reqId`. Without it, such failures go to this logger.
   */
  forRequest?(request: Request): Logger
  /** The route table of `logRoutes`; loggers without it get the table through `warn`. */
  info?(message: string): void
}

export interface RouteHandlersOptions {
  /** The folder holding `route.ts` files (Next.js's `app/`). Relative paths resolve from `process.cwd()`. */
  dir: string
  /**
   * The mount prefix, e.g. `/api`: requests are matched on the path after it, and
   * `request.nextUrl.basePath` reports it. Default: none.
   */
  basePath?: string | undefined
  /** Default: `console`. */
  logger?: Logger | undefined
  /**
   * Once every route file has loaded, log the route table (pattern, methods, file) through
   * `logger.info`, as `npx route-handlers routes` prints it. Default: false.
   */
  logRoutes?: boolean | undefined
  /**
   * The tsconfig.json whose `paths` (`@/lib/db`) and compiler options apply to the route files and
   * the project files they import. Default: the nearest tsconfig.json up from `dir`, as TypeScript
   * finds it (whatever the working directory); `false` for none.
   */
  tsconfig?: string | false | undefined
  /**
   * Where compiled TypeScript is kept between runs (a restart compiles only what changed). Default:
   * `ROUTE_HANDLERS_CACHE_DIR` if set, else the project's `node_modules/.cache/route-handlers`, else
   * the temp folder. In a container, a folder that outlives the container (a volume) or one filled
   * when the image is built (`npx route-handlers routes app`) saves the first start the compiling.
   */
  transformCacheDir?: string | undefined
  /**
   * Import names that load a file of the app, for every module the route files reach
   * (`node_modules` included), as `turbopack.resolveAlias` in a next.config. Paths are relative to
   * the working directory, as `dir` is. For next-intl, what its Next.js plugin adds:
   * `{ 'next-intl/config': './i18n/request.ts' }`.
   */
  resolveAlias?: Readonly<Record<string, string>> | undefined
  /**
   * The app's Next.js instrumentation file (`'./instrumentation.ts'`; relative to the working
   * directory, as `dir` is), loaded as route files are: its `register()` is awaited before any
   * route file loads, with `process.env.NEXT_RUNTIME` set to `'nodejs'` if unset, and its
   * `onRequestError(error, request, context)` is called for every request that fails with a 5xx,
   * with Next's arguments, before the host's error handling gets the error. Default: none
   * (nothing of the file runs).
   */
  instrumentation?: string | undefined
  /**
   * What happens when a route file matches but does not export the request's method:
   * `'405'` answers 405 with `Allow` (the default); `'fall-through'` treats the path as unmatched
   * (`handle()` resolves `null`, Express calls `next()`), so a legacy handler for that method keeps
   * answering while the others move into route files.
   */
  onMissingMethod?: '405' | 'fall-through' | undefined
  /**
   * Bytes a buffered body read (`json()`, `text()`, `formData()`, …) may take; more is a 413.
   * Streaming `request.body` is not limited. Default: 1 MiB (Fastify: its own `bodyLimit`).
   */
  bodyLimit?: number | undefined
  /** Limits of `formData()`, and upload spooling; see the README for the defaults. */
  multipart?: OptionalOptions<MultipartLimits> | undefined
  /**
   * Characters a `[param]` segment may have once decoded; a longer one is answered `414`
   * (`RH_ERR_PATH_PARAM_TOO_LONG`). Catch-all segments are not limited. Default: 100, Fastify's
   * `maxParamLength` (the Fastify plugin takes the instance's own), so every host answers alike.
   */
  maxParamLength?: number | undefined
  /**
   * Milliseconds a body read (`json()`, `formData()`, a `request.body` read, …) may wait for the
   * client's next bytes; then it fails with `RH_ERR_BODY_TIMEOUT` (408) and the connection is
   * closed after the response. Only while the handler waits on a read: a handler busy elsewhere
   * does not count against the client. Node hosts only; `0` for none. Default: 60 000 (60 s).
   */
  bodyTimeout?: number | undefined
  /**
   * The time budget, in seconds as Next.js's `export const maxDuration`, of route files that do
   * not export their own: past it `request.signal` aborts with `RH_ERR_HANDLER_TIMEOUT` and the
   * host answers 504 (a response already streaming is cut). Default: none, as `next start`.
   */
  maxDuration?: number | undefined
  /**
   * The value draft mode's `__prerender_bypass` cookie carries (`draftMode()`): Next.js's
   * `previewModeId`, found in a Next app's `.next/prerender-manifest.json`. Give it to keep draft
   * mode across restarts and processes, or to share it with a Next.js app on the same site;
   * `'development-id'` accepts any bypass cookie outside production, as `next dev` does.
   * Default: a random id per process.
   */
  previewModeId?: string | undefined
  /**
   * Dev reload: an edited route file, or a project module it imports, takes effect on the next
   * request; added route files are served and deleted ones stop; the process and what it holds
   * (db pools, sessions) stay. Watches the route folder and the project files its routes import.
   * Default: on when `NODE_ENV` is `development`, off otherwise.
   */
  reload?: boolean | undefined
  /**
   * Caching as Next.js does it: GET handlers with route segment config (`revalidate`,
   * `dynamic = 'force-static'`, …), `next/cache` (`revalidateTag`, `unstable_cache`, …) and
   * `fetch(url, { next: { revalidate, tags } })`. `store` is a Next.js `cacheHandler` (instance or
   * class); the default is an in-memory LRU of `maxBytes` (50 MB). See the README's "Caching".
   */
  cache?: CacheOptions | undefined
}

export interface HandleOptions {
  /** Overrides `options.basePath` for this request (adapters pass the host's mount path). */
  basePath?: string | undefined
  /**
   * A result of `match()`, `matchFile()` or a `fileMatcher()` for this request's path, so the path
   * is not matched twice: passed as it came, not copied field by field (it knows more than its
   * fields say: a path with repeated slashes it matched as the clean path is answered with the
   * `308` to it, where a copy would run the handler).
   */
  match?: RouteMatch | undefined
  /**
   * A request for `/x/` that a route file takes: `'redirect'` (the default) answers `308` to `/x`
   * as Next.js does; `'answer'` runs the file's handler, for a host that folds `/x/` onto `/x`
   * itself (Fastify's `ignoreTrailingSlash`).
   */
  trailingSlash?: 'redirect' | 'answer' | undefined
  /**
   * For a host that writes answers from a callback: an answer that is not ready when `respond()`
   * returns goes to `later` (with `target`), and `respond()` returns `undefined` instead of a
   * promise. An async handler's answer then comes from the handler's own promise reaction: one
   * promise and one microtask turn fewer than a reaction on a returned promise. `handle()` ignores it.
   */
  later?: AnswerSink | undefined
  /** What `later` is called with (the host's reply). */
  target?: unknown | undefined
}

/**
 * Where `respond()` hands an answer that was not ready when it returned (see `HandleOptions.later`):
 * one call, with the `target` the host passed. Neither may throw: nothing is left to catch it.
 */
export interface AnswerSink<Target = unknown> {
  /** The response, or `null` when the request is not this folder's (as `respond()` gives it). */
  answered(target: Target, response: Response | null): void
  /** What the handler threw (or building the answer did), for the host's error handling. */
  failed(target: Target, error: unknown): void
}
