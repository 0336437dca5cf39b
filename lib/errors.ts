/**
 * Every error this package throws on purpose, in one table: a stable code, the HTTP status a host
 * should answer with when the error reaches it, and a message template. Tests and users match on
 * `code`, never on message text. `startUp` marks the errors only raised while the app starts
 * (options, the route folder, loading as a whole): no client ever sees them. `misuse` marks those
 * thrown into a handler's own code for an API it called where it cannot work, as Next.js throws
 * its own there: their message names the call, no file, and the handler may catch and read it.
 */
const errorTable = {
  RH_ERR_OPTIONS_INVALID: { status: 500, startUp: true, message: (detail: string) => `Invalid route-handlers options: ${detail}` },
  RH_ERR_DIR_NOT_FOUND: {
    status: 500,
    startUp: true,
    message: (dir: string, cwd: string) =>
      `Route folder "${dir}" does not exist or is not a directory. A relative path is resolved against the working directory (${cwd}); ` +
      "to name the folder beside a module whatever the working directory, pass dir: fileURLToPath(new URL('./app', import.meta.url)) (CommonJS: path.join(__dirname, 'app')).",
  },
  RH_ERR_SEGMENT_UNSUPPORTED: {
    status: 500,
    startUp: true,
    message: (file: string, segment: string, reason: string) =>
      `Route "${file}": the folder "${segment}" ${reason}. Rename the folder or move the route out of it.`,
  },
  RH_ERR_ROUTE_DUPLICATE: {
    status: 500,
    startUp: true,
    message: (first: string, second: string, pattern: string) =>
      folderOf(first) === folderOf(second)
        ? `Two route files in one folder serve "${pattern}": "${first}" and "${second}". If one is compiled from the other (tsc's default emit puts route.js beside route.ts), point \`dir\` at one kind only: at the compiled output, with \`outDir\` set in tsconfig.json so the .js files land in a folder of their own (\`"outDir": "dist"\` → dir: "dist/app"), or at the sources. Otherwise delete one of the two.`
        : `Two route files resolve to the same URL "${pattern}": "${first}" and "${second}". Keep only one of them (route groups do not change the URL).`,
  },
  RH_ERR_ROUTE_PARAM_MISMATCH: {
    status: 500,
    startUp: true,
    message: (first: string, second: string, a: string, b: string) =>
      `Different parameter names at the same level: "${a}" in "${first}" and "${b}" in "${second}". Use one name for both folders.`,
  },
  RH_ERR_ROUTE_PARAM_REPEATED: {
    status: 500,
    startUp: true,
    message: (file: string, name: string) =>
      `Route "${file}" uses the parameter name "${name}" twice in one path. Give each dynamic segment its own name.`,
  },
  RH_ERR_ROUTE_CATCH_ALL_CONFLICT: {
    status: 500,
    startUp: true,
    message: (first: string, second: string, fix: string) =>
      `"${first}" and "${second}" cannot both exist: an optional catch-all [[...x]] already matches what the other route matches. ${fix}`,
  },
  RH_ERR_ROUTE_CATCH_ALL_NOT_LAST: {
    status: 500,
    startUp: true,
    message: (file: string, segment: string) =>
      `Route "${file}": the catch-all folder "${segment}" must be the last segment of the URL. Move the route file up into "${segment}".`,
  },
  RH_ERR_ROUTE_LOAD: {
    status: 500,
    message: (file: string, cause: string) => `Could not load route file "${file}": ${cause}`,
  },
  RH_ERR_TSCONFIG_INVALID: {
    status: 500,
    startUp: true,
    message: (file: string, cause: string) =>
      `Could not read ${file}: ${cause.replace(/\.$/, '')}. Fix the file, name another with the \`tsconfig\` option, or pass \`tsconfig: false\`.`,
  },
  RH_ERR_ROUTES_LOAD: {
    status: 500,
    startUp: true,
    message: (count: number, list: string) =>
      `${count} route file${count === 1 ? '' : 's'} could not be loaded (an app that goes on after this error serves the other routes, and these answer 500):\n${list}`,
  },
  RH_ERR_ROUTE_CONFIG_INVALID: {
    status: 500,
    message: (file: string, name: string, got: string, expected: string) =>
      `Route "${file}" exports ${name} = ${got}; it must be ${expected}. Fix the export or remove it.`,
  },
  RH_ERR_USE_CACHE_INVALID: {
    status: 500,
    message: (where: string, message: string) => `${where}: ${message}`,
  },
  RH_ERR_USE_CACHE_RESULT: {
    status: 500,
    message: (id: string, reason: string) => `The result of the "use cache" function ${id} cannot be cached: ${reason}`,
  },
  RH_ERR_INSTRUMENTATION: {
    status: 500,
    startUp: true,
    message: (file: string, cause: string) => `An error occurred while loading instrumentation hook "${file}": ${cause}`,
  },
  RH_ERR_HANDLER_TIMEOUT: {
    status: 504,
    message: (file: string, method: string, seconds: number) =>
      `The ${method} handler in "${file}" did not finish within its maxDuration of ${seconds} s; its request.signal was aborted.`,
  },
  RH_ERR_HANDLER_RESULT: {
    status: 500,
    message: (file: string, method: string, got: string) =>
      `The ${method} handler in "${file}" returned ${got}; a route handler must return a Response (for example NextResponse.json(data)).`,
  },
  RH_ERR_HANDLER_THREW: {
    status: 500,
    message: (file: string, method: string, got: string) =>
      `The ${method} handler in "${file}" threw ${got}, which is not an Error (the value is this error's cause); throw an Error instead.`,
  },
  RH_ERR_HANDLER_NEXT_RESPONSE: {
    status: 500,
    message: (file: string, method: string, helper: string) =>
      `The ${method} handler in "${file}" returned NextResponse.${helper}(), which only works in middleware. Return a regular response instead.`,
  },
  RH_ERR_CONTEXT_MISSING: {
    status: 500,
    message: (fn: string) => `\`${fn}\` was called outside a request scope. Call it inside a route handler (or code the handler calls).`,
  },
  RH_ERR_IMAGE_RESPONSE_MISSING: {
    status: 500,
    misuse: true,
    message: () =>
      'ImageResponse moved from "next/server" to "next/og" since Next.js 14, please import from "next/og" instead. route-handlers renders the one from "next/server" through next/og or @vercel/og, and neither is installed: npm install @vercel/og.',
  },
  RH_ERR_AFTER_INVALID: {
    status: 500,
    misuse: true,
    message: (got: string) => `\`after()\` must receive a promise or a function, not ${got}.`,
  },
  RH_ERR_AFTER_READONLY: {
    status: 500,
    misuse: true,
    message: (call: string) =>
      `\`${call}\` cannot be used inside an after() callback: the response has already been sent. Call it in the handler itself.`,
  },
  RH_ERR_COOKIES_STATIC: {
    status: 500,
    misuse: true,
    message: (call: string) =>
      `\`${call}\` cannot be used in a GET with \`dynamic = 'force-static'\`: its response is cached and sent to every visitor, with the cookie. Set cookies in an uncached route (Next.js throws here too).`,
  },
  RH_ERR_HEADERS_READONLY: {
    status: 500,
    misuse: true,
    message: () => 'Headers returned by headers() cannot be modified. Set response headers on the Response you return instead.',
  },
  RH_ERR_RESPONSE_INVALID: {
    status: 500,
    message: (detail: string) => `The handler's Response cannot be sent: ${detail}`,
  },
  RH_ERR_HOST_ROUTE_CONFLICT: {
    status: 500,
    startUp: true,
    message: (file: string, url: string, cause: string) =>
      `Route file "${file}" cannot be registered at "${url}": ${cause}. Remove the app's own route for that URL (or the other routeHandlersPlugin registered over the same folder or prefix), or move the route file.`,
  },
  RH_ERR_HOST_NOT_ENCAPSULATED: {
    status: 500,
    startUp: true,
    message: () =>
      'route-handlers/fastify was wrapped in fastify-plugin, so it would run in the scope of the app: `prefix` would be ignored, its body handling would replace the app\'s parsers, and parsers registered later (@fastify/formbody) would read route handlers\' bodies first. Register the plugin as it is: fastify.register(routeHandlersPlugin, { dir, prefix }).',
  },
  RH_ERR_HOST_PREFIX_INVALID: {
    status: 500,
    startUp: true,
    message: (prefix: string, reason: string) =>
      reason === 'param'
        ? `route-handlers/fastify cannot be registered under the prefix "${prefix}": it has a parameter (or a wildcard), and route files answer the URLs below one fixed path. Put the parameter in the route folder instead: register the plugin at the path before it and name the folder after it (prefix "/t" with a folder [tenant]/api/…, whose handlers get params.tenant).`
        : `route-handlers/fastify cannot be registered under the prefix "${prefix}": it has ${reason}, which clients spell in more than one way (raw, percent-encoded, resolved), so the prefix would not be one path. Use a prefix of letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ between slashes.`,
  },
  RH_ERR_HOST_PLUGIN_TIMEOUT: {
    status: 500,
    startUp: true,
    message: (count: number, timeout: number) =>
      `Loading ${count} route file${count === 1 ? '' : 's'} is about to outlast Fastify's pluginTimeout (${timeout} ms), and the app's boot then fails (FST_ERR_PLUGIN_TIMEOUT, or AVV_ERR_PLUGIN_EXEC_TIMEOUT from \`await fastify.register()\`). Raise it, Fastify({ pluginTimeout: 60_000 }) (0 for none), or start with a warm transform cache: the README's "How route files load" says how to keep it in a container.`,
  },
  RH_ERR_HOST_INVALID: {
    status: 400,
    message: (host: string) => `The request's host ${host} (its Host header, or X-Forwarded-Host behind a trusted proxy) is missing or not a valid host.`,
  },
  RH_ERR_PROTOCOL_INVALID: {
    status: 400,
    message: (protocol: string) =>
      `The request's protocol ${protocol} is neither http nor https. Behind a trusted proxy it comes from X-Forwarded-Proto: the proxy should set that header, not pass the client's on.`,
  },
  RH_ERR_TARGET_INVALID: {
    status: 400,
    message: (target: string) => `The request target ${target} is not a path.`,
  },
  RH_ERR_BODY_TOO_LARGE: {
    status: 413,
    message: (limit: string, bytes: number) => `The request body is larger than ${limit} (${bytes} bytes).`,
  },
  RH_ERR_FORM_LIMIT: {
    status: 413,
    message: (name: string, value: number) => `The form is over its limit multipart.${name} (${value}).`,
  },
  RH_ERR_FORM_ABANDONED: {
    status: 500,
    message: () =>
      'formData() could not finish: the response was sent before the form was read, and its spooled upload files were deleted with it. Await formData() before returning the response.',
  },
  RH_ERR_BODY_MALFORMED_JSON: {
    status: 400,
    // JSON.parse's own message, as `request.json()` rejects with under Next.js: a route that
    // answers `error.message` answers the same text.
    message: (detail: string) => detail,
  },
  // undici's own messages, as `request.formData()` rejects with under Next.js (a route that answers
  // `error.message` answers the same text); the parser's reason is the error's `cause`.
  RH_ERR_BODY_MALFORMED_FORM: {
    status: 400,
    message: () => 'Failed to parse body as FormData.',
  },
  RH_ERR_BODY_UNSUPPORTED_TYPE: {
    status: 415,
    message: () => 'Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".',
  },
  RH_ERR_BODY_INCOMPLETE: {
    status: 400,
    message: (detail: string) => `The request body ended early: ${detail}`,
  },
  RH_ERR_CLIENT_GONE: {
    status: 400,
    message: () =>
      'formData() could not finish: the client closed the connection before the form was read, and its spooled upload files were deleted with the response.',
  },
  RH_ERR_CONTENT_LENGTH_MISMATCH: {
    status: 500,
    message: (declared: number, actual: string) =>
      `The response's Content-Length says ${declared} bytes and its streamed body had ${actual}: the response was cut and its connection closed. ` +
      "A fetch() response passed on keeps the upstream's Content-Length and Content-Encoding over the body fetch() decoded: delete those headers (or set the right length).",
  },
  RH_ERR_BODY_TIMEOUT: {
    status: 408,
    message: (ms: number) => `The client sent no request body bytes for ${ms} ms (the bodyTimeout option).`,
  },
  RH_ERR_BODY_CONSUMED: {
    status: 500,
    message: (parser: string) =>
      `The request body was already read by ${parser} and cannot be rebuilt for the route handler. Mount route handlers before the body parsers (app.use(routeHandlers(...)) first), or keep the raw bytes with the parser's verify option: verify: (req, res, buffer) => { req.rawBody = buffer }.`,
  },
  RH_ERR_PATH_ENCODING: {
    status: 400,
    message: (pathname: string) => `The path "${pathname}" contains malformed percent-encoding.`,
  },
  RH_ERR_PATH_DOT_SEGMENT: {
    status: 400,
    message: (pathname: string) =>
      `The path "${pathname}" has a "." or ".." segment where a route file takes a param. Clients resolve those before sending (a URL parser turns "/a/../b" into "/b"); a param of ".." would let a handler build a path outside the one that was routed.`,
  },
  RH_ERR_PATH_PARAM_TOO_LONG: {
    status: 414,
    message: (name: string, limit: number) => `The path's "${name}" segment is longer than maxParamLength (${limit} characters).`,
  },
  RH_ERR_CACHE_STORE_FAILED: {
    status: 500,
    message: (operation: string, cause: string) =>
      `The cache store failed (${operation}: ${cause}); requests are answered uncached until it answers again. Check the store (its server, its connection), or pass another \`cache.store\`.`,
  },
  RH_ERR_CACHE_STORE_TIMEOUT: {
    status: 500,
    message: (operation: string, ms: number) =>
      `The cache store did not answer ${operation} within ${ms} ms (the \`cache.timeout\` option); the request was answered uncached.`,
  },
  RH_ERR_CACHE_REVALIDATE_FAILED: {
    status: 503,
    message: (tags: string, cause: string) =>
      `The cache store did not take the revalidation of ${tags} (${cause}), so the entries it should clear would be served on; the request fails so that its caller can try again. Check the store (its server, its connection).`,
  },
  RH_ERR_CACHE_ENTRY_TOO_LARGE: {
    status: 500,
    message: (key: string, bytes: number, limit: number) =>
      `The cache entry ${key} is ${bytes} bytes, over the store's maxEntryBytes (${limit}); it is not cached, and requests for it run the handler. Raise \`maxEntryBytes\` if Redis answers entries that large within \`commandTimeoutMs\`, or make the response smaller.`,
  },
  RH_ERR_CACHE_REDIS_MISSING: {
    status: 500,
    startUp: true,
    message: () =>
      'route-handlers/cache/redis needs the `redis` package (node-redis, version 5 or later), which is not installed. Run `npm install redis`, or pass your own connected client: redisCache({ client }).',
  },
  RH_ERR_CACHE_REDIS_TOO_OLD: {
    status: 500,
    startUp: true,
    message: () =>
      'route-handlers/cache/redis needs node-redis 5 or later, and the `redis` package the app has is older (node-redis 4 has no RESP_TYPES). Upgrade it (`npm install redis@latest`), or keep it and install node-redis 5 beside it under another name (`npm install redis5@npm:redis@5`) to pass its client: redisCache({ client: createClient() }) with createClient from redis5.',
  },
  RH_ERR_CACHE_REDIS_UNAVAILABLE: {
    status: 500,
    message: (redis: string, reason: string) =>
      `The Redis cache store (${redis}) did not answer: ${reason}. Requests are answered uncached until it is back; the client reconnects on its own.`,
  },
} as const

/** The folder of a route file as the scan names it (relative, `/`-separated). */
function folderOf(relativeFile: string): string {
  return relativeFile.slice(0, relativeFile.lastIndexOf('/') + 1)
}

export type RouteHandlersErrorCode = keyof typeof errorTable
type MessageArgs<C extends RouteHandlersErrorCode> = Parameters<(typeof errorTable)[C]['message']>

const brand = Symbol.for('route-handlers.error')

/**
 * The one error class of this package. `code` is stable; `status`/`statusCode` say what HTTP answer
 * fits, so Express's and Fastify's default error handlers answer correctly.
 *
 * @example
 * try { routes.ready() } catch (error) {
 *   if (isRouteHandlersError(error) && error.code === 'RH_ERR_ROUTE_DUPLICATE') console.error(error.message)
 * }
 */
export class RouteHandlersError extends Error {
  readonly code: RouteHandlersErrorCode
  readonly status: number
  readonly statusCode: number
  /** The full message, when `message` names only the code (5xx errors while serving, in production). */
  declare readonly detail?: string
  readonly [brand] = true

  constructor(code: RouteHandlersErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RouteHandlersError'
    this.code = code
    this.status = errorTable[code].status
    this.statusCode = this.status
    const shown = clientMessage(code)
    if (shown !== undefined) {
      // V8 writes the stack on first read: read now, it begins with the full message for the logs.
      void this.stack
      this.detail = message
      this.message = shown
    }
  }
}

/**
 * What a 5xx error raised while serving says in production (`NODE_ENV=production`), where a host
 * may send `message` to the client (Fastify's default error handler does): only its code. Ours name
 * route files and quote Node's errors with absolute paths; the full text stays in `detail` and at
 * the head of the stack, which is what the host's logs print. Undefined where the full message
 * stays: outside production, client errors (4xx), start-up errors, and a misused API's.
 */
function clientMessage(code: RouteHandlersErrorCode): string | undefined {
  const entry = errorTable[code]
  if (entry.status < 500 || 'startUp' in entry || 'misuse' in entry || process.env.NODE_ENV !== 'production') return undefined
  return `Internal Server Error (${code}); the server log has the details.`
}

/**
 * An error's full text for the server's log: a {@link RouteHandlersError}'s `detail` where its
 * `message` names only the code (5xx errors in production), else the message.
 */
export function fullMessage(error: unknown): string {
  if (isRouteHandlersError(error)) return error.detail ?? error.message
  return error instanceof Error ? error.message : String(error)
}

/** Builds a {@link RouteHandlersError} from the table, so messages stay in one place. */
export function routeHandlersError<C extends RouteHandlersErrorCode>(
  code: C,
  args: MessageArgs<C>,
  options?: { cause?: unknown },
): RouteHandlersError {
  const template = errorTable[code].message as (...parts: MessageArgs<C>) => string
  return new RouteHandlersError(code, template(...args), options)
}

/**
 * The same, as an instance of the class the Fetch standard names (`json()` rejects with a
 * `SyntaxError`, `formData()` with a `TypeError`), so `instanceof` checks in handlers keep working;
 * it still carries `code`, `status` and the brand that {@link isRouteHandlersError} looks for, not
 * enumerable: a handler that serializes or spreads the error it caught (`{ error, ...rest }`) gets
 * what undici's gives, `{}`.
 */
export function standardError<C extends RouteHandlersErrorCode>(
  Base: SyntaxErrorConstructor | TypeErrorConstructor,
  code: C,
  args: MessageArgs<C>,
  options?: { cause?: unknown },
): (SyntaxError | TypeError) & Pick<RouteHandlersError, 'code' | 'status' | 'statusCode'> {
  const template = errorTable[code].message as (...parts: MessageArgs<C>) => string
  const status = errorTable[code].status
  const error = new Base(template(...args), options) as (SyntaxError | TypeError) & Pick<RouteHandlersError, 'code' | 'status' | 'statusCode'>
  const hidden = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false })
  return Object.defineProperties(error, { code: hidden(code), status: hidden(status), statusCode: hidden(status), [brand]: hidden(true) })
}

/**
 * True for errors thrown by any installed copy of this package (checked by a global brand, not
 * `instanceof`, so two copies in one process still agree).
 *
 * @example
 * app.use((err, req, res, next) => isRouteHandlersError(err) ? res.status(err.status).end() : next(err))
 */
export function isRouteHandlersError(value: unknown): value is RouteHandlersError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
}
