// Kept in the declarations: TypeScript 6+ loads Node's types (Buffer, node:http) only when asked.
/// <reference types="node" preserve="true" />
/**
 * `route-handlers/fastify`: a route folder as a Fastify plugin. Each route file becomes Fastify
 * routes for the methods it exports (visible to `printRoutes()`, `hasRoute()` and `onRoute` hooks,
 * and conflicting loudly with the app's own), bound to that file: the core checks the path against
 * that file alone and computes its params; dispatch stays in the core, shared with every host.
 */
import type { FastifyContentTypeParser, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { Readable } from 'node:stream'
import { bodyReader } from '../lib/body/body-reader.ts'
import { hostRequestOf } from '../lib/body/route-request.ts'
import { routeHandlersError } from '../lib/errors.ts'
import { consoleLogger, pinoLogger } from '../lib/logger.ts'
import { knownBody } from '../lib/known-body.ts'
import { redirectsToSingleSlashes } from '../lib/match.ts'
import { hasOnlyJsonContentType, pendingHeaderPairs, pendingJsonText } from '../lib/next/next-response.ts'
import { repeatedMountWarning } from '../lib/mount-warnings.ts'
import { createRouteHandlers, type FileMatcher, type RouteHandlers } from '../lib/router.ts'
import { hasRepeatedSlashes } from '../lib/repeated-slashes.ts'
import { hasTrailingSlash, isMountRootWithSlash, slashlessTarget } from '../lib/trailing-slash.ts'
import { mergedVary } from '../lib/vary.ts'
import type { AnswerSink, HttpMethod, Logger, RouteHandlersOptions, RouteInfo, RouteMatch } from '../lib/types.ts'
import { responseFailure, sendsAtOnce, startBody, toNextRequest, type RequestNotices } from './_node.ts'
import { untrustedHttpsWarning } from './_untrusted-https.ts'
import { checkRequestTarget, originForm } from './_request-url.ts'
import { readerStream } from './_reader-stream.ts'
import { responseClosed } from './_response-writes.ts'
import { registerFallback } from './_fastify-fallback.ts'
import { keptFromHere } from './_flowing-payload.ts'
import { watchPluginTimeout } from './_fastify-plugin-timeout.ts'
import { HANDLER_WRAPPING, registerRouteFiles, type HandlerWrapping } from './_fastify-routes.ts'
import { ignoresTrailingSlash } from './_fastify-router-options.ts'

export interface FastifyRouteHandlersOptions extends Omit<RouteHandlersOptions, 'basePath' | 'logger'> {
  /** The mount prefix; Fastify's own `register` option. */
  prefix?: string | undefined
  /** Default: the Fastify instance's logger; the console when the app has none (`Fastify()`). */
  logger?: Logger | undefined
  /**
   * When a route file fails to load, reject `register()` (and so the app's boot) listing every
   * broken file (or with the `instrumentation` file's error, when it failed), instead of serving
   * the others and answering 500 on the broken ones. Default: false.
   */
  failOnLoadError?: boolean | undefined
}

/** Request body types Fastify is told about by name (see the plugin's parsers). */
const USUAL_BODY_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/octet-stream']

/** find-my-way's (and so Fastify's) default `maxParamLength`. */
const FIND_MY_WAY_MAX_PARAM_LENGTH = 100

const plugin: FastifyPluginAsync<FastifyRouteHandlersOptions> = async (fastify, options) => {
  // fastify-plugin marks the function it wraps, and this is that function: wrapped again by the
  // app, it would share the app's scope, where it cannot keep the app's parsers away.
  if ((plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] === true) {
    throw routeHandlersError('RH_ERR_HOST_NOT_ENCAPSULATED', [])
  }
  // `/t/:tenant`: the path below the mount would be a different one for each tenant, which the
  // plugin's matching and cache keys (one mount path) do not know.
  if (hasParamSegment(fastify.prefix)) throw routeHandlersError('RH_ERR_HOST_PREFIX_INVALID', [fastify.prefix, 'param'])
  // Characters clients disagree on, as in folder names (see parseSegment), `%`, and dot segments.
  const ambiguous = AMBIGUOUS_PREFIX.exec(fastify.prefix)?.[0] ?? (/(^|\/)\.{1,2}(\/|$)/.test(fastify.prefix) ? 'a dot segment' : undefined)
  if (ambiguous !== undefined) throw routeHandlersError('RH_ERR_HOST_PREFIX_INVALID', [fastify.prefix, ambiguous.length === 1 ? `"${ambiguous}"` : ambiguous])
  const { prefix: _prefix, logger = fastifyLogger(fastify), failOnLoadError = false, ...coreOptions } = options
  // Buffered reads obey Fastify's own bodyLimit unless the plugin is given one.
  const bodyLimit = coreOptions.bodyLimit ?? fastify.initialConfig.bodyLimit
  // Long params answer 414 as the app's own routes do, under the instance's limit (either spelling).
  const maxParamLength = coreOptions.maxParamLength ?? fastifyMaxParamLength(fastify)
  // From before the folder is scanned, which Fastify's timer is already counting.
  let scanned: RouteHandlers | undefined
  const stopWatching = watchPluginTimeout(fastify.initialConfig.pluginTimeout ?? 0, () => scanned?.routes.length ?? 0, logger)
  let routes: RouteHandlers
  try {
    routes = scanned = createRouteHandlers({ ...coreOptions, bodyLimit, maxParamLength, logger })
  } catch (error) {
    // Options or the route folder refused at once: nothing is loading, and the timers must not outlive the failed register().
    stopWatching()
    throw error
  }
  // Broken route files were logged as they failed; they answer 500 unless the app wants to fail.
  await routes
    .ready()
    .catch((error: unknown) => {
      if (failOnLoadError) throw error
    })
    .finally(stopWatching)
  // Fastify keeps a prefix as given: under `prefix: '/'` or `'/api/'` it routes `/x` or `/api/x`
  // here, and the mount is `''` or `/api`; `::` is find-my-way's escaped colon (`/a::b` routes
  // `/a:b`). Compared with the raw target, it is spelled as clients send it (`/café` as `/caf%C3%A9`).
  const prefix = new URL(`http://prefix.invalid${fastify.prefix.replaceAll('::', ':')}`).pathname
  const basePath = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  const repeatedMount = repeatedMountWarning(basePath, routes.routes, routes.dir, 'registered with prefix')
  if (repeatedMount !== undefined) logger.warn(repeatedMount)
  // fastify.close() waits for pending after() work, as `next start` does on shutdown: the work
  // under way before the server closes (preClose), since Fastify runs onClose hooks last-added
  // first and the app's own, added after registering this plugin (ending the database pool that
  // work writes with), would run before this plugin's; then all of it, callbacks of responses that
  // were still open included (a stream the server's closing ends), from onClose.
  fastify.addHook('preClose', () => routes.runningWorkSettled())
  fastify.addHook('onClose', () => routes.close())
  if (fastify.log.level === undefined) streamFailureLoggers.set(fastify, logger)

  // The handler reads the body itself, as a Web stream of the bytes after the app's preParsing
  // hooks. Parsers the app registered (formbody, its own) stay out of this plugin's scope.
  fastify.removeAllContentTypeParsers()
  // A payload already flowing (an app's preParsing hook reads it too) is kept from here on.
  const passThrough: FastifyContentTypeParser = (_request, payload, done) => done(null, payload.readableFlowing === true ? keptFromHere(payload) : payload)
  fastify.addContentTypeParser('*', passThrough)
  // The same, named for the usual types: Fastify remembers the parser it found for a named type,
  // while a request only the catch-all takes has its Content-Type parsed again every time.
  fastify.addContentTypeParser(USUAL_BODY_TYPES, passThrough)

  // Fastify routes `/x/` apart from `/x` unless the app folds trailing slashes: each file has one
  // Fastify route, under its own URL, and `/x/` is redirected to it (308, as Next.js does with
  // `trailingSlash: false`, catch-alls included) rather than answered by the file's handler where
  // the hooks of its route do not apply.
  const redirectsTrailingSlash = !ignoresTrailingSlash(fastify)
  // The prefix's root with its slash (`/api/`) is redirected to `/api` unless the app gave the
  // prefix with its slash (`prefix: '/api/'`): Fastify then routes the root as `/api/` alone, and
  // `/api` would be its 404.
  const redirectsMountRoot = redirectsTrailingSlash && !fastify.prefix.endsWith('/')

  // Answers a request for the file Fastify routed it to (`matchFile` checks the path against that
  // file), or, without one, for whatever file the core matches (the fallback; and every route
  // under dev reload, where files change).
  // The first request that claims https through a proxy the app does not trust says why that
  // matters (see untrustedHttpsWarning), once per registration.
  let warnedUntrustedHttps = false
  const notices: RequestNotices = {
    untrustedHttps() {
      if (warnedUntrustedHttps) return
      warnedUntrustedHttps = true
      logger.warn(untrustedHttpsWarning('Fastify({ trustProxy: 1 }) for one proxy in front'))
    },
  }
  // Not async: a response that is ready at once is sent in the same turn, and the handler returns
  // nothing, so Fastify waits on no promise (returning `reply` from an async function would make it
  // wait for the response's end through `reply.then`). What throws here reaches Fastify's error
  // handling as a handler's throw does; a later failure is sent as the error it is. A request
  // with a body waits one microtask (see `sendsAtOnce` in _node.ts). `awaited` (a route whose
  // handler the app wrapped): an answer that has to wait comes with a promise (see AwaitedReply).
  const answer = (request: FastifyRequest, reply: FastifyReply, matchFile?: FileMatcher, awaited = false): Promise<void> | void => {
    // The path Fastify routed: `request.url`, which the app's `rewriteUrl` may have changed (the
    // handler's `request.url` stays the original one). Matching the original instead would run a
    // file the app rewrote the request away from. An invalid request target throws
    // RH_ERR_TARGET_INVALID (400), as building the request would.
    const target = originForm(request.url)
    const pathname = mountRelative(target, basePath)
    let match: RouteMatch | null = null
    if (pathname !== null) {
      // `/x/` of any route file, whichever route Fastify gave it to (the fallback, a catch-all's
      // `/x/*`, `items/[slug]`'s `/items/:slug` with an empty param for `/items/`); and `/api/`,
      // which Fastify routes to the prefix's root (`prefixTrailingSlash`).
      if ((redirectsTrailingSlash && hasTrailingSlash(pathname)) || (redirectsMountRoot && pathname === '/' && isMountRootWithSlash(pathOf(target), basePath))) {
        const found = routes.match(pathname)
        if (found === null) return notFound(reply)
        // A bad path (`/items/%2e%2e/`) gets its 4xx from the core rather than a redirect, and
        // `//x/` or `/\x/` the core's 308 to `/x/` first, as Next.js answers (their slashless
        // spelling `//x` would be a Location naming another host).
        if (found.error === undefined && !redirectsToSingleSlashes(found)) return redirectToSlashless(request, reply)
      }
      // Fastify decodes before routing (`/%61dmin` reaches `/admin`'s route); the file answers
      // only the path as it is spelled in its folders, and no other file's handler may run. (A
      // file that outranks this one for the path but lacks the method answers its own 405.)
      // `/x//y` and `/x\y` are the core's to redirect (Next's 308 to `/x/y`), whichever route
      // Fastify gave them to, when the path they redirect to is a route file's (the file matcher
      // matches them in full, as the clean path).
      match = matchFile ? matchFile(pathname, request.method) : routes.match(pathname)
    }
    if (!match) return notFound(reply)
    // A path no handler may take (`/items/..`, `%zz`, a param over maxParamLength): Fastify's error
    // handling answers its 400 or 414, as it answers the other client errors.
    if (match.error) return sendError(reply, match.error)
    if (request.method === 'GET') {
      // A fresh cached answer goes out without a request built, after the checks building it makes
      // (a hostile Host, an original target that is not a path: 400).
      const cached = routes.cachedResponse(match, 'GET', request.headers.cookie, basePath)
      if (cached) {
        checkRequestTarget(request.protocol, request.host, request.originalUrl)
        return sendAnswer(reply, cached)
      }
    }
    const body = request.body instanceof Readable ? request.body : request.raw
    // `request`: its headers are what the app's hooks left, assigned (`request.headers = …`) or changed.
    // `request` is also the client view: Fastify's getters, honouring its trustProxy setting.
    const nextRequest = toNextRequest(request.raw, reply.raw, request, request.originalUrl, basePath, routes.bodyLimits, body, request, notices)
    // Here with `/x/` only when the app folds it onto `/x` (ignoreTrailingSlash): answered as `/x`.
    // An answer that has to wait reaches the reply through REPLY_SINK.
    const pending = awaited ? new AwaitedReply(reply) : undefined
    const response = routes.respond(nextRequest, { basePath, match, trailingSlash: 'answer', later: pending ? AWAITED_SINK : REPLY_SINK, target: pending ?? reply })
    if (response === undefined) return pending?.settled
    if (sendsAtOnce(request.method)) sendAnswer(reply, response)
    else queueMicrotask(() => sendAnswer(reply, response))
  }
  // The fallback takes what no file's own route takes (see registerFallback). An app's hook that
  // changes the URL after routing (`request.raw.url = …`, where Fastify's `rewriteUrl` is the way)
  // may make it name a method a file has its own route for, whose hooks did not run on this
  // request: not found here, rather than that file's handler. Under dev reload every file may be
  // answered here (see warnIfAddedSinceStart).
  const matchUnrouted: FileMatcher = (pathname, method) => {
    const match = routes.match(pathname)
    if (match === null || match.error || redirectsToSingleSlashes(match)) return match
    return registered.get(match.route)?.includes(method) ? null : match
  }
  const matchAny: RouteHandlerMethod = (request, reply) => {
    if (!routes.reload) return answer(request, reply, matchUnrouted)
    warnOnceAnswered(request, reply)
    answer(request, reply)
  }

  // Each route answers for its own file only: Fastify routes on the decoded path, and a raw
  // `/api/%68ealth` that Fastify gives `health`'s route (and its hooks) must not run the file the
  // raw path matches (`[...slug]`). Under dev reload the file is checked against the table of the
  // moment; a file added since start-up that now takes the path from it (`users/me` beside
  // `users/[id]`) is not served through this route, whose hooks and config (a `public` flag) are
  // another file's: not found until the app restarts, said once.
  const handlerFor = (route: RouteInfo, wrapping: HandlerWrapping): RouteHandlerMethod => {
    const matchFile = routes.fileMatcher(route)
    if (!routes.reload) return (request, reply) => answer(request, reply, matchFile, wrapping.wrapped)
    const matchOwnFile: FileMatcher = (pathname, method) => {
      const found = routes.match(pathname)
      // This route's own file, also when an editor's save deleted and wrote it again since start-up.
      if (found !== null && found.route.file === route.file) return found
      if (found !== null && !registeredFiles.has(found.route.file)) {
        warnAddedBehind(found.route, route)
        return null
      }
      return matchFile(pathname, method)
    }
    return (request, reply) => answer(request, reply, matchOwnFile, wrapping.wrapped)
  }
  // Told, per route file, whether an `onRoute` hook of the app wrapped its handler (see HandlerWrapping).
  fastify.addHook('onRoute', (routeOptions) => {
    const wrapping = (routeOptions as { [HANDLER_WRAPPING]?: HandlerWrapping })[HANDLER_WRAPPING]
    if (wrapping !== undefined && routeOptions.handler !== wrapping.handler) wrapping.wrapped = true
  })
  const registered = registerRouteFiles(fastify, routes.routes, handlerFor)
  const registeredFiles = new Set([...registered.keys()].map((route) => route.file))
  registerFallback(fastify, matchAny, (method, url) => {
    const pathname = url.startsWith('/') ? mountRelative(url, basePath) : absoluteFormPath(url, basePath)
    const match = pathname === null ? null : routes.match(pathname)
    if (match === null) return false
    // `/x/` of a file is redirected to `/x`, and `/x//y` to `/x/y`, whatever the method.
    if ((redirectsTrailingSlash && hasTrailingSlash(pathname!)) || hasRepeatedSlashes(pathname!)) return true
    // A method the file has a Fastify route for is that route's, with Fastify's own answers (its
    // 414 for a param over maxParamLength); the others get the core's (405, or that 414).
    if (registered.get(match.route)?.includes(method) ?? false) return false
    // With `fall-through`, a method the file lacks is the app's: its own route for the URL (a
    // wildcard proxying the old service) if it has one, else its not-found handler.
    if (routes.fallsThrough(match.route, method)) return false
    if (routes.reload) warnIfAddedSinceStart(match.route, method)
    return true
  })
  // A method a file gained since start-up is known only once the file has loaded again, which the
  // request itself brings about, after the fallback's constraint has looked: looked at again once answered.
  const warnOnceAnswered = (request: FastifyRequest, reply: FastifyReply): void => {
    // A target that is not a path gives none: answer() says so.
    const pathname = absoluteFormPath(request.url, basePath)
    const match = pathname === null ? null : routes.match(pathname)
    if (match === null || match.error) return
    reply.raw.on('finish', () => warnIfAddedSinceStart(match.route, request.method))
  }
  // Dev reload serves a file or method added since start-up under the fallback's `/*`: hooks keyed
  // on the route (`routeOptions.url`, per-route `config`, an `onRoute` guard) do not see its own
  // URL, and a guard of that kind lets it through (a trial: an admin route added while the app
  // ran answered without its guard's 401). Said once for each, when first requested.
  const warnedAdded = new Set<string>()
  const warnIfAddedSinceStart = (route: RouteInfo, method: string): void => {
    const atStart = registered.get(route)
    // A file added since start-up (its methods may not be known yet: it loads when first asked
    // for), or a method one gained; not a 405, which runs no handler.
    const gained = route.methods.includes(method as HttpMethod) || (method === 'HEAD' && route.methods.includes('GET'))
    if (atStart !== undefined && !gained) return
    const what = atStart === undefined ? `${basePath}${route.pattern} (${route.file})` : `${method} ${basePath}${route.pattern} (${route.file})`
    if (warnedAdded.has(what)) return
    warnedAdded.add(what)
    logger.warn(
      `route-handlers: ${what} was added while the app runs, and Fastify takes no new routes once it listens: the plugin's ` +
        `catch-all route (${basePath}/*) serves it, so hooks that look at the route (request.routeOptions.url, per-route config, ` +
        'a guard added in onRoute) do not see it as its own and do not apply to it. Restart the app to register its route.',
    )
  }
  // A file added since start-up whose URL Fastify gives another file's route (see handlerFor).
  const warnAddedBehind = (added: RouteInfo, route: RouteInfo): void => {
    const what = `${basePath}${added.pattern} (${added.file})`
    if (warnedAdded.has(what)) return
    warnedAdded.add(what)
    logger.warn(
      `route-handlers: ${what} was added while the app runs, and Fastify gives its URL to the route of ${basePath}${route.pattern}, ` +
        "registered at start-up: that route's hooks and config are the other file's, so the new file answers not found there until the app restarts.",
    )
  }
}

/** Where the core hands an answer that was not ready at once: the reply it was meant for. */
const REPLY_SINK: AnswerSink<FastifyReply> = { answered: sendAnswer, failed: sendError }

/**
 * A pending answer given back to Fastify as the handler's promise, for a route whose handler an
 * app's `onRoute` hook wrapped: @fastify/otel's handler span (and any wrapper timing the handler)
 * then lasts until the response has gone, not until the handler returned, and a handler's failure
 * reaches it as the rejection Fastify hands to the app's error handler. The promise follows the
 * reply (`reply.then`: settled once the response has finished), so Fastify sends nothing more.
 */
class AwaitedReply {
  readonly reply: FastifyReply
  readonly settled: Promise<void>
  resolve!: () => void
  reject!: (error: Error) => void

  constructor(reply: FastifyReply) {
    this.reply = reply
    this.settled = new Promise<void>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }
}

const AWAITED_SINK: AnswerSink<AwaitedReply> = {
  answered(pending, response) {
    sendAnswer(pending.reply, response)
    // Settled either way: a connection that fails mid-response is not the handler's failure, and
    // a rejection here would have Fastify answer a second time.
    void pending.reply.then(pending.resolve, pending.resolve)
  },
  failed: (pending, error) => pending.reject(fastifyError(error)),
}

// To the target the client sent, so a URL the app rewrote is redirected to the client's own
// spelling; when only the rewritten one ends in `/` (`rewriteUrl` made it), to that one.
function redirectToSlashless(request: FastifyRequest, reply: FastifyReply): void {
  const target = originForm(request.originalUrl)
  const location = slashlessTarget(target) ?? slashlessTarget(originForm(request.url))
  // A rewrite that adds the slash to every URL would send the client back where it was, forever.
  if (location === null || location === target) return notFound(reply)
  // Its body the location, untyped, as Next.js sends it (a string would get Fastify's text/plain).
  sendUntyped(reply.code(308).header('location', location).header('refresh', `0;url=${location}`), Buffer.from(location))
}

function notFound(reply: FastifyReply): void {
  reply.callNotFound()
}

// `null`: no route file matches (say `/blog/` under `/blog/*`). Whatever fails here goes to
// Fastify's error handling, also from a promise reaction, where nothing else would catch it.
function sendAnswer(reply: FastifyReply, response: Response | null): void {
  try {
    if (response === null) return notFound(reply)
    const sending = sendToReply(reply, response)
    if (sending instanceof Promise) sending.catch((error: unknown) => sendError(reply, responseFailure(error)))
  } catch (error) {
    sendError(reply, error)
  }
}

/**
 * Hands a failure to Fastify's error handling. `reply.send()` treats only an `Error` of this realm
 * as one (Fastify's own promise handling flags the reply as failing, which this adapter cannot):
 * anything else would go out as the body, under the status already set. An `Error` of another
 * realm (a `vm` context) is wrapped, keeping what Fastify's error handler reads from it.
 */
function sendError(reply: FastifyReply, error: unknown): void {
  reply.send(fastifyError(error))
}

/** `error` as Fastify takes a failure: an `Error` of this realm (see {@link sendError}). */
function fastifyError(error: unknown): Error {
  if (error instanceof Error) return error
  const { message, name, code, status, statusCode } = (error ?? {}) as Partial<Error & Record<'code' | 'status' | 'statusCode', unknown>>
  const wrapped = Object.assign(new Error(typeof message === 'string' ? message : 'route-handlers: the response failed', { cause: error }), { code, status, statusCode })
  if (typeof name === 'string') wrapped.name = name
  return wrapped
}

// A target's mount-relative path, or null when it names no path: inside find-my-way's lookup
// nothing may throw, and such a target is not the fallback's.
function absoluteFormPath(url: string, basePath: string): string | null {
  try {
    return mountRelative(originForm(url), basePath)
  } catch {
    return null
  }
}

/**
 * The path of an origin-form target (`/x?y` → `/x`). Two `indexOf` searches: on Node 20 a
 * `charCodeAt` loop over a short target takes twice as long, and a RegExp longer still.
 */
function pathOf(url: string): string {
  const query = url.indexOf('?')
  const fragment = url.indexOf('#')
  const end = fragment === -1 || (query !== -1 && query < fragment) ? query : fragment
  return end === -1 ? url : url.slice(0, end)
}

/** The raw path of an origin-form target (`/x?y`) under the mount prefix, or `null` when it is not under it. */
function mountRelative(url: string, basePath: string): string | null {
  const path = pathOf(url)
  if (basePath === '') return path
  if (path === basePath) return '/'
  return path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : null
}

/**
 * Unwraps the Web `Response` onto the reply (rather than `reply.send(response)`), so `onSend` hooks
 * and plugins such as `@fastify/compress` see real headers: each `Set-Cookie` appended, a complete
 * body sent with its length, a streamed one as a Node stream. Text the response was made from goes
 * out as a string, which Node writes in one piece with the head.
 */
function sendToReply(reply: FastifyReply, response: Response): FastifyReply | Promise<FastifyReply> {
  // `type()` sets the content type as given; `header()` would lower-case the name first, on every answer.
  if (hasOnlyJsonContentType(response)) return sendText(reply.code(response.status).type('application/json'), pendingJsonText(response)!)
  const pairs = pendingHeaderPairs(response)
  if (pairs !== undefined) {
    // A cached answer replayed: its headers as stored (Fastify appends each set-cookie), no Headers built.
    reply.code(response.status)
    let typedPairs = false
    for (const [name, value] of pairs) {
      if (name === 'content-type') {
        reply.type(value)
        typedPairs = true
      } else {
        reply.header(name, name === 'vary' ? mergedVary(reply.getHeader('vary'), value) : value)
      }
    }
    // Untyped text goes out as bytes (Fastify would call a string text/plain).
    const text = pendingJsonText(response)!
    return typedPairs ? sendText(reply, text) : sendUntyped(reply, Buffer.from(text))
  }
  const json = pendingJsonText(response)
  // new Response(string), undici's Response.json(): sent as what the body was made from.
  const known = json === undefined ? knownBody(response) : undefined
  if (json === undefined && known === undefined && response.body !== null) return sendBody(reply, response, response.body)
  const typed = applyHead(reply, response)
  if (json !== undefined) return typed ? sendText(reply, json) : sendUntyped(reply, Buffer.from(json))
  if (known !== undefined) {
    if (typeof known === 'string' && typed) return sendText(reply, known)
    return sendUntyped(reply, typeof known === 'string' ? Buffer.from(known) : Buffer.from(known.buffer, known.byteOffset, known.byteLength))
  }
  return reply.send()
}

/** Puts the response's status and headers on the reply; whether they gave it a content type. */
function applyHead(reply: FastifyReply, response: Response): boolean {
  reply.code(response.status)
  // HTTP/2 has no status text (Node warns on each response given one: a proxied fetch()'s `OK`).
  if (response.statusText && reply.request.raw.httpVersionMajor < 2) reply.raw.statusMessage = response.statusText
  let typed = false
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue
    if (name === 'content-type') {
      reply.type(value)
      typed = true
      continue
    }
    // The host's own Vary (@fastify/cors adds `Origin` in its onRequest hook) is kept.
    reply.header(name, name === 'vary' ? mergedVary(reply.getHeader('vary'), value) : value)
  }
  for (const cookie of response.headers.getSetCookie()) reply.header('set-cookie', cookie)
  return typed
}

// Bytes under whatever type the response has, if any. Fastify types a Buffer it is sent as
// application/octet-stream, which bytes the handler gave no type (an image route that forgot its
// own, an empty `new Response()`) must not get, as neither Next.js nor the Express adapter sends
// one: untyped, they go out as a one-chunk stream, which Fastify sends as it is, under their real
// length (replacing a wrong one of the handler's). An onSend hook that replaces a stream payload
// must drop or fix Content-Length, as for any Fastify reply that streams under a length.
function sendUntyped(reply: FastifyReply, bytes: Buffer): FastifyReply {
  if (bytes.byteLength === 0) return reply.send()
  if (reply.hasHeader('content-type')) return reply.send(bytes)
  return reply.header('content-length', String(bytes.byteLength)).send(Readable.from([bytes], { objectMode: false }))
}

/**
 * Sends text under the content type already set, exactly: Fastify appends `; charset=utf-8` to a
 * JSON type when it sends a string itself, and leaves a string alone when the reply has a
 * serializer. Anything else sent on this reply later (an app's error handler replacing the
 * answer) is serialized as JSON, as Fastify's own default would.
 */
function sendText(reply: FastifyReply, text: string): FastifyReply {
  reply.serializer(textAsIs).send(text)
  // Whatever is sent on this reply later (an app's error handler after a failing onSend hook) is
  // serialized as it would have been: Fastify's own serializer, the app's setReplySerializer.
  return reply.serializer(null as unknown as (payload: unknown) => string)
}

// Called as a method of the reply. An object sent before the serializer is reset (an error handler
// answering from inside this reply's send) still gets the JSON type Fastify's serializer gives it.
function textAsIs(this: FastifyReply, payload: unknown): string {
  if (typeof payload === 'string') return payload
  if (!this.hasHeader('content-type')) this.header('content-type', 'application/json; charset=utf-8')
  return JSON.stringify(payload)
}

/**
 * A streamed body. Its status and headers go on the reply only once its first bytes have come: a
 * body that fails before then leaves the reply as the host had it, so Fastify's error answer carries
 * none of the route's headers (a `Cache-Control: public, max-age=60` on a 500 would let a shared
 * cache keep the error).
 */
async function sendBody(reply: FastifyReply, response: Response, body: ReadableStream<Uint8Array>): Promise<FastifyReply> {
  const reader = bodyReader(body)
  // Fastify destroys the stream it pipes when the client goes away, but not before the first chunk
  // has come (startBody may still be waiting): cancel the handler's stream from the socket side too.
  const cancel = () => void reader.cancel()
  const raw = reply.raw
  if (responseClosed(raw)) cancel()
  else raw.on('close', cancel) // not once(): see toNextRequest in _node.ts
  const start = await startBody(reader)
  applyHead(reply, response)
  if (start.complete) {
    raw.off('close', cancel)
    return sendUntyped(reply, Buffer.from(start.bytes.buffer, start.bytes.byteOffset, start.bytes.byteLength))
  }
  const stream = readerStream(start.chunks, start.next, reader, declaredLength(response), raw)
  // Fastify logs a stream that fails once sent through its own logger; an app without one
  // (`Fastify()`) would hear nothing of it.
  const log = streamFailureLoggers.get(reply.server)
  // Not a premature close: that is a client that left while an onSend hook's pipeline ran
  // (`@fastify/compress`), which destroys the stream so; native routes log nothing of it either.
  if (log !== undefined) {
    stream.on('error', (error) => {
      if ((error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') log.error('route-handlers: the response stream failed after the response had started', error)
    })
  }
  return reply.send(stream)
}

/** The handler's `Content-Length`, when it gave a valid one. */
function declaredLength(response: Response): number | undefined {
  const field = response.headers.get('content-length')
  return field !== null && /^\d+$/.test(field) ? Number(field) : undefined
}

/** What a prefix cannot hold: clients send it raw or percent-encoded depending on the client, or it is `%`. */
const AMBIGUOUS_PREFIX = /["#<>?\\^`{}%]/

/** True for a Fastify prefix with a `:param` anywhere (`/v-:version`; `::` is an escaped colon) or a wildcard. */
function hasParamSegment(prefix: string): boolean {
  const unescaped = prefix.replaceAll('::', '')
  return unescaped.includes(':') || unescaped.includes('*')
}

/** The plugin's logger, by its Fastify scope, where the app has no logger of its own. */
const streamFailureLoggers = new WeakMap<FastifyInstance, Logger>()

/**
 * The `maxParamLength` the app's router uses, in either spelling. Fastify fills
 * `initialConfig.routerOptions` with defaults once it is given at all, so its 100 may be a default
 * standing over a top-level `maxParamLength: 500`, which the router then uses.
 */
function fastifyMaxParamLength(fastify: FastifyInstance): number {
  const config = fastify.initialConfig
  const routerValue = config.routerOptions?.maxParamLength
  return routerValue !== undefined && routerValue !== FIND_MY_WAY_MAX_PARAM_LENGTH ? routerValue : config.maxParamLength ?? FIND_MY_WAY_MAX_PARAM_LENGTH
}

function fastifyLogger(fastify: FastifyInstance): Logger {
  // An app made without a logger (`Fastify()`, the default) has one that drops everything, and a
  // broken route file or a misnamed one would go unsaid: the console says it, as on the other
  // hosts. A logger set to `silent` is the app's choice and stays silent.
  if (fastify.log.level === undefined) return consoleLogger
  return pinoLogger(fastify.log, (request) => {
    // A request's failure (its `after()` work) through that request's logger, with its `reqId`.
    const log = (hostRequestOf(request) as Partial<FastifyRequest> | undefined)?.log
    return log === undefined ? undefined : pinoLogger(log)
  })
}


/**
 * Mounts a folder of Next.js Route Handlers into a Fastify 5 app, in its own encapsulated scope
 * (so `prefix` works and its body handling stays local). Unmatched paths reach the app's
 * not-found handler; handler errors reach the app's error handler.
 *
 * @example
 * await fastify.register(routeHandlersPlugin, { dir: './app', prefix: '/api' })
 */
export const routeHandlersPlugin = fastifyPlugin(plugin, { fastify: '5.x', name: 'route-handlers', encapsulate: true })

export default routeHandlersPlugin
