import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { AfterWork } from './after-work.ts'
import { createIncrementalCache } from './cache/cache-options.ts'
import { setDefaultCache } from './cache/default-cache.ts'
import { cachesRequest, freshCachedResponse, serveCached } from './cache/cached-get.ts'
import { hasRepeatedSlashes, singleSlashRedirect } from './repeated-slashes.ts'
import { hasTrailingSlash, isMountRootWithSlash, slashlessRedirect } from './trailing-slash.ts'
import { patchFetch } from './cache/patch-fetch.ts'
import { defineNextGlobals } from './next/node-globals.ts'
import { useRequestStore, type HandlersContext } from './context.ts'
import { DevReload } from './dev-reload.ts'
import { dispatch } from './dispatch.ts'
import { routeHandlersError, type RouteHandlersError } from './errors.ts'
import { optionLogger } from './logger.ts'
import { isCompileError, isUnresolvedImport } from './load/load-error.ts'
import { compileAhead, filesLoadedTwice, importedProjectFiles, loadGraphModule, loadRouteModule, loadRouteModulesTogether, loadsInBatch, needsRequestStore, prepareLoading, ROUTE_FILES_TOGETHER, sweepTransformCache } from './load/load-route-module.ts'
import { realNextEntriesLoaded, realNextWarning } from './load/real-next-loaded.ts'
import { routeFileVersion } from './load/reload.ts'
import { shareWithRequire } from './load/require-shared.ts'
import { TransformCache } from './load/transform-cache.ts'
import { resolveAliasOption } from './resolve-alias-option.ts'
import { requestErrorReporter, resolveInstrumentationFile, startInstrumentation, type RequestErrorReporter } from './instrumentation.ts'
import { toLoadedRoute, type LoadedRoute } from './loaded-route.ts'
import { matchRoute, matchRouteFile, redirectsToSingleSlashes } from './match.ts'
import type { MaybePromise } from './maybe-promise.ts'
import { answersMethod, hasOutranking, mayBeOutranked } from './outranking.ts'
import { resolvePreviewModeId } from './next/draft-mode.ts'
import { patchResponseJson } from './next/response-json.ts'
import { resolveBodyLimits, type BodyLimits } from './body/limits.ts'
import { RouteRequest, routedUrl, setMatchedPathname } from './body/route-request.ts'
import { buildRouteTree, type RouteEntry } from './route-tree.ts'
import { repeatedMountWarning } from './mount-warnings.ts'
import { warnAboutNextConfig } from './next-config-warnings.ts'
import { warnAboutRouteFolder } from './route-folder-warnings.ts'
import { provideVercelRequestContext } from './vercel-request-context.ts'
import { formatRouteTable } from './route-table.ts'
import { scanRouteFolder } from './scan.ts'
import { withinTimeBudget } from './time-budget.ts'
import { resolveMaxDuration } from './timeout-options.ts'
import { HTTP_METHODS, type AnswerSink, type HandleOptions, type Logger, type RouteHandlersOptions, type RouteInfo, type RouteMatch } from './types.ts'

/** The options of a request given none. */
const NO_OPTIONS: HandleOptions = Object.freeze({})

/** find-my-way's default, so the Express and standalone hosts answer long params as Fastify does. */
const DEFAULT_MAX_PARAM_LENGTH = 100

/** `matchFile` for one file (see `RouteHandlers.fileMatcher`). */
export type FileMatcher = (pathname: string, method: string) => RouteMatch | null

/** A route folder turned into a fetch-style handler. */
export interface RouteHandlers {
  /**
   * Every route file, in discovery order. `methods` are known once `ready()` has resolved. With
   * `reload`, the files there are now (the list is replaced when files are added or removed).
   */
  readonly routes: readonly RouteInfo[]
  /** The route folder, absolute. */
  readonly dir: string
  /** True when edits to route files and the modules they import take effect without a restart. */
  readonly reload: boolean
  /** The mount prefix from the options (`''` for none). */
  readonly basePath: string
  /** The body limits in force (the options over the defaults). */
  readonly bodyLimits: BodyLimits
  /**
   * Resolves when every route file has loaded; rejects with `RH_ERR_ROUTES_LOAD` listing every file
   * that failed (each `RH_ERR_ROUTE_LOAD` error is in `cause`), for apps that want to fail fast.
   * Optional: `handle()` waits for loading by itself, and serves the files that loaded.
   */
  ready(): Promise<RouteHandlers>
  /**
   * Matches a mount-relative pathname (`/blog/hello`) against the route table, or `null`. A path
   * with one trailing slash, repeated slashes or a backslash (`/blog/hello/`, `/blog//hello`)
   * matches as its clean form, its `pathname` kept as given: `respond()`/`handle()` answer it with
   * the `308` to the clean path.
   */
  match(pathname: string): RouteMatch | null
  /**
   * Checks a mount-relative pathname against one route file of `routes` alone, for a host whose
   * own router has chosen the file for `method` (the Fastify plugin binds each Fastify route to its
   * file): the same rules as `match()` (static segments raw, params decoded, one trailing slash)
   * without the search. `null` when the path is not that file's: answer not-found. The other files
   * it may give: for a path with repeated slashes or a backslash, `match()`'s (whichever file the
   * clean path is: `respond()` answers the `308` to it); and the one `match()` gives when that file
   * does not answer `method` (the host passed over it: `DELETE /users/me` reaches `users/[id]`'s
   * route when `users/me` has no `DELETE`), so that it answers its 405, `OPTIONS` or 400, and no
   * handler of another file runs.
   */
  matchFile(route: RouteInfo, pathname: string, method: string): RouteMatch | null
  /**
   * `matchFile` bound to one file, for a host that binds its routes to files once: what can be
   * known of the file ahead of requests (whether any file outranks it) is worked out now, and a
   * file nothing outranks is checked against itself alone on every call. With dev reload, each
   * call is `matchFile`'s, against the table of the moment.
   */
  fileMatcher(route: RouteInfo): FileMatcher
  /**
   * Whether `respond()` leaves a request of `method` for `route` to the host under
   * `onMissingMethod: 'fall-through'`: the file loaded and lacks the method (`OPTIONS` included),
   * so a host that routes by method can hand it to its own routes for the URL (a wildcard
   * proxying the old service) rather than to its not-found handler. Always false under `'405'`.
   */
  fallsThrough(route: RouteInfo, method: string): boolean
  /**
   * Answers `request`, or resolves `null` when no route file matches its path (so a host can fall
   * through; also for a method the file lacks, with `onMissingMethod: 'fall-through'`). Rejects
   * with the handler's own exception, or a `RouteHandlersError` (`RH_ERR_HANDLER_TIMEOUT` when
   * the route's `maxDuration` runs out first).
   */
  handle(request: Request, options?: HandleOptions): Promise<Response | null>
  /**
   * {@link handle} for hosts that write the answer in the same turn: a response that is ready at
   * once (a synchronous handler's, a cached entry's, a 405) comes back as it is, not in a promise,
   * and an error then is thrown rather than rejected. Anything that has to wait still comes in a
   * promise, or, given a `later` sink, goes to it (and this returns `undefined`). The adapters call
   * this; `handle()` is the same answer, always in a promise.
   */
  respond(request: Request, options: HandleOptions & { later: AnswerSink }): Response | null | undefined
  respond(request: Request, options?: HandleOptions & { later?: undefined }): MaybePromise<Response | null>
  respond(request: Request, options?: HandleOptions): MaybePromise<Response | null> | undefined
  /**
   * For hosts, before they build the request: the `HIT` for a `GET` that `match` gives to a cached
   * route (segment config) when the in-memory store holds a fresh entry, made from the match and
   * the raw `Cookie` header alone. `undefined` in every other case (a miss, a stale entry, another
   * store, draft mode's cookie, dev reload, routes still loading): build the request and call
   * `respond()`, which answers the same. `basePath`: the mount path the request came under
   * (the router's `basePath` when not given), part of the entry's key.
   */
  cachedResponse(match: RouteMatch, method: string, cookieHeader: string | undefined, basePath?: string): Response | undefined
  /**
   * Resolves once every pending `after()` task has settled (callbacks still waiting for their
   * response included, and tasks they add), and every background cache regeneration or refresh
   * (stale-while-revalidate) has. For shutdown, once the server has stopped taking
   * requests: it stops nothing itself (but dev reload's watching). The Fastify plugin calls it
   * from `onClose`.
   */
  close(): Promise<void>
  /**
   * Resolves once the `after()` work under way has settled (and what starts while it waits), not
   * callbacks still waiting for their response: what a host waits for before it closes its
   * server (the Fastify plugin, from `preClose`), where a response streaming until then would
   * hold `close()` forever.
   */
  runningWorkSettled(): Promise<void>
}


/**
 * Discovers the route files under `options.dir` (synchronously: a bad folder layout throws here,
 * naming the files) and starts loading them.
 *
 * @example
 * const routes = createRouteHandlers({ dir: './app' })
 * await routes.ready()
 * const response = await routes.handle(new Request('http://localhost/items'))
 */
export function createRouteHandlers(options: RouteHandlersOptions): RouteHandlers {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', ['`dir` must be the path of the route folder'])
  }
  const dir = resolve(options.dir)
  const defaultBasePath = normalizeBasePath(options.basePath)
  const logger = optionLogger(options.logger)
  const fallThrough = options.onMissingMethod === 'fall-through'
  const bodyLimits = resolveBodyLimits(options)
  const maxParamLength = resolveMaxParamLength(options.maxParamLength)
  const maxDuration = resolveMaxDuration(options.maxDuration)
  const defaultBudget = maxDuration === undefined ? undefined : maxDuration * 1000
  const scan = scanRouteFolder(dir)
  let tree = buildRouteTree(scan.routes)
  // Each warning once: dev reload warns again only about what a change brought (a `Route.ts` added).
  const warned = new Set<string>()
  const warnOnce = (message: string): void => {
    if (warned.has(message)) return
    warned.add(message)
    logger.warn(message)
  }
  warnAboutRouteFolder(dir, scan, warnOnce)
  const repeatedMount = repeatedMountWarning(defaultBasePath, tree.routes, dir, 'basePath')
  if (repeatedMount !== undefined) warnOnce(repeatedMount)
  warnAboutNextConfig(dir, { cacheLife: options.cache?.cacheLife !== undefined, store: options.cache?.store !== undefined }, warnOnce)
  const routesByEntry = new Map<RouteEntry, LoadedRoute>()
  const instrumentationFile = resolveInstrumentationFile(options.instrumentation)
  const previewModeId = resolvePreviewModeId(options.previewModeId)
  const cache = createIncrementalCache(options.cache, logger)
  provideVercelRequestContext()
  // A tsconfig that cannot be read throws here, where the app creates the handlers.
  const reloadOn = resolveReload(options.reload)
  const spec = { dir, tsconfig: options.tsconfig, reload: reloadOn, cacheDir: resolveCacheDir(options.transformCacheDir), resolveAlias: resolveAliasOption(options.resolveAlias) }
  prepareLoading(spec, tree.routes.map((route) => route.moduleFile))
  // The default places fall back to the temp folder when they cannot be written; a folder the app
  // named (the option, or the environment) is used as it is, and a start that can keep nothing
  // new there says so.
  const namedCacheDir = spec.cacheDir ?? (process.env.ROUTE_HANDLERS_CACHE_DIR || undefined)
  if (namedCacheDir !== undefined && !new TransformCache(namedCacheDir).writable()) {
    const named = spec.cacheDir !== undefined ? `the transformCacheDir "${namedCacheDir}"` : `ROUTE_HANDLERS_CACHE_DIR "${namedCacheDir}"`
    logger.warn(
      `route-handlers: ${named} cannot be written, so compiled route files are not kept: those already there (filled when the image was built) are used, ` +
        'any other is compiled again at every start. Name a folder this process can write, or fill it beforehand.',
    )
  }
  // Registered before any route file loads (see loading below), as `next start` registers it, and
  // only once every option has passed: its register() may migrate a database.
  const instrumentation = instrumentationFile === undefined ? undefined : startInstrumentation(instrumentationFile, () => loadGraphModule(spec, instrumentationFile))
  const handlersContext: HandlersContext = {
    after: new AfterWork(logger),
    previewModeId,
    cache,
    logger,
    reportError: instrumentation === undefined ? undefined : requestErrorReporter(instrumentation, logger),
    maxDuration: defaultBudget,
    servesPath: (pathname) => matchRoute(tree, pathname, maxParamLength) !== null,
  }
  setDefaultCache(handlersContext.cache)
  patchFetch()
  patchResponseJson()
  defineNextGlobals()

  // Route files load in batches, each run in order once all its modules are linked, CommonJS ones
  // alone, never as concurrent import()s: in Node 20 a CommonJS route that require()s a module
  // (next/server, a shared lib/db.ts) while an ESM route is still importing it fails with "not yet
  // fully loaded" (see loadRouteModulesTogether). A file that fails is reported now and answers
  // 500; the others serve.
  const failures = new Map<RouteEntry, RouteHandlersError>()
  let loaded = false
  const loadedRoute = (entry: RouteEntry, moduleExports: Record<string, unknown>): LoadedRoute | RouteHandlersError => {
    try {
      return toLoadedRoute(entry, moduleExports, logger)
    } catch (error) {
      return error as RouteHandlersError
    }
  }
  const load = async (entry: RouteEntry, version: number): Promise<LoadedRoute | RouteHandlersError> => {
    try {
      return loadedRoute(entry, await loadRouteModule(entry.moduleFile, entry.relativeFile, version))
    } catch (error) {
      return error as RouteHandlersError
    }
  }
  const commit = (entry: RouteEntry, outcome: LoadedRoute | RouteHandlersError): void => {
    // Dev reload: a file deleted while it was loading again is no route any more.
    if (reload && !tree.routes.includes(entry)) return
    if ('handlers' in outcome) {
      // The file's fetch() calls follow its `fetchCache` on every request: the patched fetch finds
      // the request through the store, so it stays on.
      if (outcome.config.fetchCache !== undefined) useRequestStore()
      // Dev reload: an edit may bring a library made for Next.js, or a late import of next/headers,
      // into the graph (see loading below).
      if (loaded && needsRequestStore(spec)) useRequestStore()
      routesByEntry.set(entry, outcome)
      failures.delete(entry)
      return
    }
    routesByEntry.delete(entry)
    failures.set(entry, outcome)
    // A syntax error's message has its line and caret, and a missing import's names the module and
    // its importer: the stack (esbuild's frames, the resolver's) would only follow them.
    if (isCompileError(outcome.cause) || isUnresolvedImport(outcome.cause)) logger.error(`route-handlers: ${outcome.detail ?? outcome.message}`)
    else logger.error(`route-handlers: ${outcome.detail ?? outcome.message}`, outcome.cause)
  }
  const reload = reloadOn
    ? new DevReload({
        dir,
        realDir: realpathSync.native(dir),
        logger,
        rescan() {
          const scanned = scanRouteFolder(dir)
          const next = buildRouteTree(scanned.routes, tree.routes)
          prepareLoading(spec, next.routes.map((route) => route.moduleFile))
          const kept = new Set(next.routes)
          for (const entry of tree.routes) {
            if (kept.has(entry)) continue
            routesByEntry.delete(entry)
            failures.delete(entry)
          }
          tree = next
          warnAboutRouteFolder(dir, scanned, warnOnce)
        },
        load,
        commit,
      })
    : undefined
  let instrumentationFailure: RouteHandlersError | undefined
  const loading = (async () => {
    const registered = await instrumentation
    if (registered?.failure) {
      instrumentationFailure = registered.failure
      logger.error(`route-handlers: ${registered.failure.message}`, registered.failure.cause)
    }
    // Compiling runs ahead of the imports, on esbuild's cores, while the files compiled load here.
    const compiled = compileAhead(spec, tree.routes.map((route) => route.moduleFile))
    for (let start = 0, end = 0; start < tree.routes.length; start = end) {
      // Up to ROUTE_FILES_TOGETHER files that load in a batch, or one that loads alone.
      end = start + 1
      if (loadsInBatch(tree.routes[start]!.moduleFile)) {
        while (end < tree.routes.length && end - start < ROUTE_FILES_TOGETHER && loadsInBatch(tree.routes[end]!.moduleFile)) end++
      }
      const batch = tree.routes.slice(start, end)
      for (const entry of batch) await compiled(entry.moduleFile)
      const files = batch.map((entry) => ({ file: entry.moduleFile, version: reload ? routeFileVersion(entry.moduleFile) : 0 }))
      const together = loadsInBatch(batch[0]!.moduleFile) ? await loadRouteModulesTogether(files) : undefined
      for (const [index, entry] of batch.entries()) {
        const { version } = files[index]!
        commit(entry, together ? loadedRoute(entry, together[index]!) : await load(entry, version))
        reload?.loaded(entry, version)
      }
    }
    reload?.watchImports()
    if (needsRequestStore(spec)) useRequestStore()
    for (const file of filesLoadedTwice(spec)) {
      warnOnce(
        `route-handlers: "${file}" is loaded twice: the app require()d it (compiled as CommonJS by its TypeScript loader, such as tsx) and route files ` +
          `import it, which on Node ${process.versions.node} loads it again as an ES module. Its state (a connection pool, a cache) is not shared. ` +
          'Run on Node 22.15+ (one instance), or run the app as an ES module ("type": "module").',
      )
    }
    await shareWithRequire(importedProjectFiles(spec))
    for (const file of realNextEntriesLoaded()) warnOnce(realNextWarning(file))
    loaded = true
    void sweepTransformCache(spec)
    if (options.logRoutes) logRouteTable(dir, tree.routes, failures, logger)
  })()

  // Runs the matched route file's handler (see handle()). Throws when building the request fails.
  // `answerTo`: the request's options, whose `later` sink the handler's own reaction answers.
  const answer = (match: RouteMatch, request: Request, basePath: string, answerTo: HandleOptions): MaybePromise<Response | null> | undefined => {
    const entry = match.route as RouteEntry
    const route = routesByEntry.get(entry)
    if (!route) {
      const failure = failures.get(entry)
      // A match made before dev reload removed its file: the file is gone, so no route.
      if (failure === undefined) return null
      throw failure
    }
    const nextRequest = request instanceof RouteRequest ? request : new RouteRequest(request, { nextConfig: { basePath }, limits: bodyLimits })
    setMatchedPathname(nextRequest, match.pathname)
    const budget = route.maxDuration ?? defaultBudget
    // GETs whose segment config caches them go through the cache (no closure on the hot path).
    const cached = cachesRequest(route, nextRequest.method)
    // Infinity: the route's own maxDuration is longer than any timer (see routeMaxDuration).
    if (budget === undefined || budget === Infinity) {
      return cached
        ? serveCached(route, nextRequest, match.params, match.pathname, handlersContext, reload !== undefined)
        : dispatch(route, nextRequest, match.params, fallThrough, handlersContext, undefined, undefined, answerTo)
    }
    return withinTimeBudget(budget, route, nextRequest, () =>
      cached ? serveCached(route, nextRequest, match.params, match.pathname, handlersContext, reload !== undefined) : dispatch(route, nextRequest, match.params, fallThrough, handlersContext),
    )
  }
  // Before loading is done, or with dev reload: waits until the module is the one the files make
  // now (a save during a reload starts another).
  const answerWhenFresh = async (match: RouteMatch, request: Request, basePath: string): Promise<Response | null> => {
    if (!loaded) await loading
    for (let reloading = reload?.fresh(match.route as RouteEntry); reloading; reloading = reload?.fresh(match.route as RouteEntry)) {
      await reloading
    }
    // No `later` sink: the answer is returned.
    return answer(match, request, basePath, NO_OPTIONS) as MaybePromise<Response | null>
  }

  // handle() without its promise: what the hosts call, so a synchronous handler's answer is written
  // in the same turn; with a `later` sink, an answer that has to wait goes there instead.
  const respondToHost = (request: Request, handleOptions: HandleOptions = NO_OPTIONS): MaybePromise<Response | null> | undefined => {
    const response = respondNow(request, handleOptions)
    const later = handleOptions.later
    if (later === undefined || !(response instanceof Promise)) return response
    const { target } = handleOptions
    response.then(
      (answered) => later.answered(target, answered),
      (error: unknown) => later.failed(target, error),
    )
    return undefined
  }
  // With an instrumentation file: a failure reaches the host (thrown, rejected, or through the
  // `later` sink) once the file's onRequestError has settled, as Next.js awaits it before its 500.
  const respondReporting = (report: RequestErrorReporter, request: Request, handleOptions: HandleOptions = NO_OPTIONS): MaybePromise<Response | null> | undefined => {
    const reported = (error: unknown): Promise<void> => report(error, request, failedRoutePath(request, handleOptions))
    const later = handleOptions.later
    if (later !== undefined) {
      const sink: AnswerSink = {
        answered: (target, response) => later.answered(target, response),
        failed: (target, error) => void reported(error).then(() => later.failed(target, error)),
      }
      try {
        return respondToHost(request, { ...handleOptions, later: sink })
      } catch (error) {
        sink.failed(handleOptions.target, error)
        return undefined
      }
    }
    const rethrown = (error: unknown): Promise<never> =>
      reported(error).then(() => {
        throw error
      })
    try {
      const response = respondNow(request, handleOptions)
      return response instanceof Promise ? response.catch(rethrown) : response
    } catch (error) {
      return rethrown(error)
    }
  }
  // Chosen once: without an instrumentation file, requests pay nothing for it.
  const reportError = handlersContext.reportError
  const respond = reportError === undefined ? respondToHost : respondReporting.bind(undefined, reportError)
  // The route a failed request was for, as Next.js names it to onRequestError (its path when none matched).
  const failedRoutePath = (request: Request, handleOptions: HandleOptions): string => {
    if (handleOptions.match) return handleOptions.match.route.pattern
    const basePath = handleOptions.basePath === undefined ? defaultBasePath : normalizeBasePath(handleOptions.basePath)
    const pathname = withoutBasePath(pathnameOf(routedUrl(request)), basePath)
    return (pathname === null ? null : matchRoute(tree, pathname, maxParamLength))?.route.pattern ?? pathname ?? pathnameOf(routedUrl(request))
  }
  const respondNow = (request: Request, handleOptions: HandleOptions): MaybePromise<Response | null> | undefined => {
    const basePath = handleOptions.basePath === undefined ? defaultBasePath : normalizeBasePath(handleOptions.basePath)
    let match = handleOptions.match
    if (!match) {
      const pathname = withoutBasePath(pathnameOf(routedUrl(request)), basePath)
      const found = pathname === null ? null : matchRoute(tree, pathname, maxParamLength)
      if (!found) return null
      match = found
    }
    if (match.error) return new Response(null, { status: match.error.status })
    // `null` (not this folder's) when the app rewrote a clean target into this path.
    if (redirectsToSingleSlashes(match)) return singleSlashRedirect(routedUrl(request))
    if (handleOptions.trailingSlash !== 'answer' && (hasTrailingSlash(match.pathname) || (match.pathname === '/' && isMountRootWithSlash(pathnameOf(routedUrl(request)), basePath)))) {
      return slashlessRedirect(routedUrl(request))
    }
    if (!loaded || reload) return answerWhenFresh(match, request, basePath)
    return answer(match, request, basePath, handleOptions)
  }

  const routeHandlers: RouteHandlers = {
    get routes() {
      return tree.routes
    },
    dir,
    reload: reload !== undefined,
    basePath: defaultBasePath,
    bodyLimits,
    ready: () => loading.then(() => {
      if (instrumentationFailure) throw instrumentationFailure
      if (failures.size > 0) throw loadFailure([...failures.values()])
      return routeHandlers
    }),
    match: (pathname) => matchRoute(tree, pathname, maxParamLength),
    matchFile(route, pathname, method) {
      const entry = route as RouteEntry
      // Matched in full, as the clean path: the file alone would take `a\b` as one segment, and
      // answer it whatever file the clean path is (see redirectsToSingleSlashes).
      if (hasRepeatedSlashes(pathname)) return matchRoute(tree, pathname, maxParamLength)
      if (!mayBeOutranked(tree, entry, method)) {
        // find-my-way passes over a param longer than its maxParamLength to a wildcard of the same
        // level (`users/[id]`'s to `[...slug]`): the path is the outranking file's, which answers
        // its 414, as every other host does. Only a path that long can have such a param.
        if (pathname.length <= maxParamLength || !hasOutranking(tree, entry)) return matchRouteFile(entry, pathname, maxParamLength)
        const found = matchRoute(tree, pathname, maxParamLength)
        return found !== null && found.route !== entry && found.error !== undefined ? found : matchRouteFile(entry, pathname, maxParamLength)
      }
      const found = matchRoute(tree, pathname, maxParamLength)
      if (found === null || found.route === entry) return found
      return answersMethod(found.route as RouteEntry, method) ? null : found
    },
    fileMatcher(route) {
      const entry = route as RouteEntry
      if (reload || hasOutranking(tree, entry)) return (pathname, method) => routeHandlers.matchFile(route, pathname, method)
      return (pathname) => (hasRepeatedSlashes(pathname) ? matchRoute(tree, pathname, maxParamLength) : matchRouteFile(entry, pathname, maxParamLength))
    },
    fallsThrough(route, method) {
      const entry = route as RouteEntry
      return fallThrough && routesByEntry.has(entry) && !failures.has(entry) && KNOWN_METHODS.has(method) && !answersMethod(entry, method)
    },
    handle(request, handleOptions) {
      try {
        // Always a promise: without a `later` sink, respond() answers through its return value.
        const answered = respond(request, handleOptions?.later === undefined ? handleOptions : { ...handleOptions, later: undefined })
        return Promise.resolve(answered as MaybePromise<Response | null>)
      } catch (error) {
        return Promise.reject(error)
      }
    },
    // Its signatures are one function: `undefined` only with a `later` sink, never a promise then.
    respond: respond as RouteHandlers['respond'],
    cachedResponse(match, method, cookieHeader, basePath) {
      // `/x/` is redirected, or (trailingSlash: 'answer') answered through respond(); so is the
      // mount's root (`/` here), which may have been `/api/`, and `/x//y`.
      if (method !== 'GET' || match.error || !loaded || reload) return undefined
      // The route first: most are not cached, and the path checks cost more than the lookup.
      const route = routesByEntry.get(match.route as RouteEntry)
      if (!route || !cachesRequest(route, method)) return undefined
      if (hasTrailingSlash(match.pathname) || match.pathname === '/' || redirectsToSingleSlashes(match)) return undefined
      return freshCachedResponse(route, match.pathname, basePath ?? defaultBasePath, cookieHeader, handlersContext)
    },
    close: () => {
      reload?.close()
      return Promise.all([handlersContext.after.settled(), handlersContext.cache.settled()]).then(() => undefined)
    },
    runningWorkSettled: () => handlersContext.after.runningSettled(),
  }
  return routeHandlers
}

const KNOWN_METHODS = new Set<string>(HTTP_METHODS)

/** The `logRoutes` table, once the methods are known. */
function logRouteTable(dir: string, routes: readonly RouteEntry[], failures: Map<RouteEntry, unknown>, logger: Logger): void {
  const rows = routes.map((route) => ({ pattern: route.pattern, methods: route.methods, file: route.relativeFile, failed: failures.has(route) }))
  const table = `route-handlers: ${routes.length} route file${routes.length === 1 ? '' : 's'} in ${dir}\n${formatRouteTable(rows)}`
  if (logger.info) logger.info(table)
  else logger.warn(table)
}

/** What `ready()` rejects with: every route file that failed, each with its own error as a cause. */
function loadFailure(errors: RouteHandlersError[]): RouteHandlersError {
  const list = errors.map((error) => `  - ${error.detail ?? error.message}`).join('\n')
  return routeHandlersError('RH_ERR_ROUTES_LOAD', [errors.length, list], { cause: errors.length === 1 ? errors[0] : new AggregateError(errors) })
}

/** Dev reload is on in development unless the option says otherwise, and off elsewhere. */
function resolveReload(value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`reload\` must be true or false (got ${String(value)})`])
  }
  return value ?? process.env.NODE_ENV === 'development'
}

function resolveCacheDir(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`transformCacheDir\` must be a folder path (got ${String(value)})`])
  return resolve(value)
}

function resolveMaxParamLength(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_PARAM_LENGTH
  if (!(value > 0)) throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`maxParamLength\` must be a positive number (got ${String(value)})`])
  return value
}

function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return ''
  if (!basePath.startsWith('/')) {
    throw routeHandlersError('RH_ERR_OPTIONS_INVALID', [`\`basePath\` must start with "/" (got "${basePath}")`])
  }
  return basePath.endsWith('/') ? basePath.slice(0, -1) : basePath
}

/** The pathname of an absolute, already-normalized URL (what `Request#url` holds), without parsing it. */
function pathnameOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return '/'
  const end = url.slice(start).search(/[?#]/)
  return end === -1 ? url.slice(start) : url.slice(start, start + end)
}

function withoutBasePath(pathname: string, basePath: string): string | null {
  if (basePath === '') return pathname
  if (pathname === basePath) return '/'
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : null
}
