/**
 * The absolute URL of a request on a Node host: the client's origin as the host framework sees it
 * (serialized: `http://Example.COM:80` is `http://example.com`) plus the request target's path and
 * query, byte for byte (routing reads them; `request.url` shows them serialized). Whatever a client
 * sends, the result parses as a URL, or building it throws a 400.
 */
import { routeHandlersError } from '../lib/errors.ts'
import { SLASH } from '../lib/trailing-slash.ts'

// A first, cheap gate: a host name or IPv4 address, or a bracketed IPv6 address, with an optional
// port. Anything else in a Host header (spaces, slashes, `@`) would change what the URL means.
const HOST_SHAPE = /^(?:[a-z0-9](?:[a-z0-9._-]*)|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

// Hosts that passed the gate can still fail WHATWG URL parsing (`a:99999`, `[1]`, `a.1`), which
// `nextUrl` would then throw on, or parse as another spelling (upper case, a default port,
// `127.1`); the verdict, the serialized origin or null, is kept for the few hosts a server sees.
// Bounded, so a client sending random hosts cannot grow it.
const knownOrigins = new Map<string, string | null>()
const KNOWN_HOSTS_LIMIT = 256

// An absolute-form target (`GET http://example.com/x HTTP/1.1`, RFC 9112 §3.2.2): its scheme and
// authority, which Express's and Fastify's routing skip too. Only http(s) with an authority:
// find-my-way strips nothing else, so Fastify would route `ws://e/admin` as a path of its own
// (its `/*`) while the core matched `/admin`, past the hooks of Fastify's `/admin` route.
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]+/i

/**
 * `scheme://host` for a request; throws `RH_ERR_HOST_INVALID` (status 400) when the host is missing,
 * hostile, or would not parse, and `RH_ERR_PROTOCOL_INVALID` (400) for a scheme other than http(s):
 * behind a trusted proxy the host framework takes it from `X-Forwarded-Proto` as sent
 * (`http://evil.example/?` would make the handler's URL another origin's and path).
 */
export function requestOrigin(protocol: string, host: string | undefined): string {
  // A server sees the same Host on request after request: the last good one is not checked again.
  if (host === last.host && protocol === last.protocol) return last.origin
  const scheme = protocol.toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') throw routeHandlersError('RH_ERR_PROTOCOL_INVALID', [JSON.stringify(protocol.slice(0, 100))])
  const origin = host === undefined || !HOST_SHAPE.test(host) ? null : serializedOrigin(`${scheme}://${host}`)
  if (origin === null) throw routeHandlersError('RH_ERR_HOST_INVALID', [host === undefined ? '(none)' : JSON.stringify(host)])
  last = { protocol, host, origin }
  return origin
}

let last: { protocol: string; host: string | undefined; origin: string } = { protocol: '', host: undefined, origin: '' }

/**
 * The absolute URL a request is built with: the client's origin and the target's path and query.
 * Throws what building the request answers 400 for (a hostile Host, a target that is not a path).
 */
export function requestUrl(protocol: string, host: string | undefined, target: string): string {
  return requestOrigin(protocol, host) + originForm(target)
}

/**
 * The checks {@link requestUrl} makes, for an answer that needs no request (a cached HIT): throws
 * what building the request would answer 400 for, and makes no URL.
 */
export function checkRequestTarget(protocol: string, host: string | undefined, target: string): void {
  requestOrigin(protocol, host)
  originForm(target)
}

/**
 * The path and query of a request target, as the origin-form `/x?y` the routing saw: an
 * absolute-form target loses its scheme and authority (the origin stays the host framework's, from
 * the `Host` header, as `req.host` reports it to the rest of the app). Any other target (`*`, an
 * authority, another scheme) names no path here: `RH_ERR_TARGET_INVALID` (400).
 *
 * @example
 * originForm('http://evil.example/api/x?y=1') // '/api/x?y=1'
 */
export function originForm(target: string): string {
  // A character compare: `startsWith` is a builtin call, and every request asks this twice.
  if (target.charCodeAt(0) === SLASH) return target
  const authority = ABSOLUTE_FORM.exec(target)
  if (authority === null) throw routeHandlersError('RH_ERR_TARGET_INVALID', [JSON.stringify(target.slice(0, 100))])
  const rest = target.slice(authority[0].length)
  return rest.startsWith('/') ? rest : `/${rest}`
}

function serializedOrigin(origin: string): string | null {
  let verdict = knownOrigins.get(origin)
  if (verdict === undefined) {
    verdict = URL.canParse(origin) ? new URL(origin).origin : null
    if (knownOrigins.size < KNOWN_HOSTS_LIMIT) knownOrigins.set(origin, verdict)
  }
  return verdict
}
