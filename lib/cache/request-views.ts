import { RequestCookies } from '@edge-runtime/cookies'
import { REAL_REQUEST } from '../body/copy-source.ts'
import type { RequestStore } from '../context.ts'
import type { NextRequest } from '../next/next-request.ts'
import type { NextURL } from '../next/next-url.ts'
import { ReadonlyHeaders } from '../next/readonly-headers.ts'
import { staticBailout, trackDynamicAccess, type StaticMode } from './static-generation.ts'

// What of the request Next.js counts as dynamic data (app-route/module.ts, proxyNextRequest).
const DYNAMIC_REQUEST = new Set<PropertyKey>(['headers', 'cookies', 'url', 'body', 'blob', 'json', 'text', 'arrayBuffer', 'formData'])
const DYNAMIC_URL = new Set<PropertyKey>(['search', 'searchParams', 'url', 'href', 'toJSON', 'toString', 'origin'])

/**
 * The origin of `nextUrl` in a GET generated for the cache: `next build` generates it on
 * `http://localhost:3000`, and `next start` names its own host there, never the client's `Host`.
 * Here the URL's host is the one the client sent (with no trusted proxy in front): read into an
 * entry every visitor gets, the first visitor's `Host: evil.example` would name the links and
 * sitemaps of all (review). So `force-static` and `dynamic = 'error'` (cached whatever the
 * handler reads) answer static generation's; `auto` counts them as request data (Next tracks
 * `origin` so, not these): a route that reads them is dynamic, and its visitors see their own.
 */
const STATIC_ORIGIN: Readonly<Record<PropertyKey, string>> = { host: 'localhost:3000', hostname: 'localhost', port: '3000', protocol: 'http:' }

// Setting one of these makes the URL's origin the handler's own (`url.host = 'www.example.com'`).
const ORIGIN_SETTERS = new Set<PropertyKey>(['host', 'hostname', 'port', 'protocol', 'href'])

/**
 * What copying the request reads (`new Request(request)`, `new NextRequest(request)`,
 * `fetch(request)`): undici 6's internal symbols (Node 20, 22), found on a real Request rather than
 * named, and the real request this package's copiers ask for (undici 7). A copy holds every header
 * and the whole URL (review: a `revalidate = 60` GET copying its request cached the first
 * visitor's `Authorization` for everyone).
 */
const COPIED_STATE = new Set<PropertyKey>([...Object.getOwnPropertySymbols(new Request('http://localhost/')), REAL_REQUEST])

/**
 * The request a GET generated for the cache sees, as Next.js proxies it: `force-static` strips
 * the search, headers, cookies and domain (`http://localhost:3000/path`); `error` throws Next's
 * error on any dynamic read; `auto` records the read (the route turns dynamic).
 */
export function requestView(request: NextRequest, mode: StaticMode, store: () => RequestStore | undefined, route: string): NextRequest {
  if (mode === 'force-static') return forceStatic(request)
  if (mode === 'error') {
    const bailout = (expression: string) => {
      throw staticBailout(route, expression)
    }
    return tracked(request, bailout, false)
  }
  return tracked(request, (expression) => void trackDynamicAccess(store(), expression), true)
}

function forceStatic(request: NextRequest): NextRequest {
  let headers: Headers | undefined
  let cookies: RequestCookies | undefined
  let nextUrl: NextURL | undefined
  // What a copy of the view copies: a request as stripped as the view.
  let stripped: Request | undefined
  const strippedRequest = () => (stripped ??= new Request(view.url, { method: request.method, signal: request.signal }))
  const view: NextRequest = new Proxy(request, {
    get(target, prop) {
      if (COPIED_STATE.has(prop)) return prop === REAL_REQUEST ? strippedRequest : Reflect.get(strippedRequest(), prop)
      switch (prop) {
        case 'headers':
          return (headers ??= new ReadonlyHeaders(new Headers()))
        case 'cookies':
          return (cookies ??= new RequestCookies(new Headers()))
        case 'nextUrl':
          return (nextUrl ??= staticUrl(target.nextUrl))
        case 'url':
          return view.nextUrl.href
        case 'clone':
          return () => forceStatic(target.clone() as NextRequest)
        default:
          return own(target, prop)
      }
    },
  })
  return view
}

function staticUrl(url: NextURL): NextURL {
  let searchParams: URLSearchParams | undefined
  let ownOrigin = false
  const view: NextURL = new Proxy(url, {
    get(target, prop) {
      switch (prop) {
        case 'search':
          return ''
        case 'searchParams':
          return (searchParams ??= new URLSearchParams())
        case 'href':
          return ownOrigin ? target.href : cleanUrl(target.href)
        case 'toJSON':
        case 'toString':
          return () => view.href
        case 'url':
          return undefined
        case 'origin':
          return ownOrigin ? target.origin : 'http://localhost:3000'
        case 'clone':
          return () => staticUrl(target.clone())
        default:
          return !ownOrigin && Object.hasOwn(STATIC_ORIGIN, prop) ? STATIC_ORIGIN[prop] : own(target, prop)
      }
    },
    set: setOnReal(() => (ownOrigin = true)),
  })
  return view
}

// NextURL's setters need the real object (its fields are private): `url.pathname = '/x'` on a
// clone, then `NextResponse.redirect(url)`, the usual redirect, was a TypeError (review).
// `onOrigin` hears that the handler set the URL's origin itself.
function setOnReal(onOrigin: () => void): ProxyHandler<NextURL>['set'] {
  return (target, prop, value) => {
    if (ORIGIN_SETTERS.has(prop)) onOrigin()
    return Reflect.set(target, prop, value, target)
  }
}

// Next.js's cleanURL: the request as static generation sees it, on no particular host.
function cleanUrl(href: string): string {
  const url = new URL(href)
  url.host = 'localhost:3000'
  url.search = ''
  url.protocol = 'http'
  return url.href
}

// `originIsDynamic`: reading the host is request data (`auto`), else it is static generation's.
function tracked(request: NextRequest, onDynamic: (expression: string) => void, originIsDynamic: boolean): NextRequest {
  let nextUrl: NextURL | undefined
  const trackedUrl = (url: NextURL): NextURL => {
    let ownOrigin = false
    return new Proxy(url, {
      get(target, prop) {
        if (DYNAMIC_URL.has(prop)) onDynamic(`nextUrl.${String(prop)}`)
        if (prop === 'clone') return () => trackedUrl(target.clone())
        if (ownOrigin || !Object.hasOwn(STATIC_ORIGIN, prop)) return own(target, prop)
        if (!originIsDynamic) return STATIC_ORIGIN[prop]
        onDynamic(`nextUrl.${String(prop)}`)
        return own(target, prop)
      },
      set: setOnReal(() => (ownOrigin = true)),
    })
  }
  return new Proxy(request, {
    get(target, prop) {
      if (prop === 'nextUrl') return (nextUrl ??= trackedUrl(target.nextUrl))
      if (DYNAMIC_REQUEST.has(prop)) onDynamic(`request.${String(prop)}`)
      else if (COPIED_STATE.has(prop)) onDynamic('new Request(request)')
      if (prop === 'clone') return () => tracked(target.clone() as NextRequest, onDynamic, originIsDynamic)
      return own(target, prop)
    },
  })
}

// A member read on the real object (getters see their own `this`), methods bound to it: undici's
// Request checks its brand on `this`.
function own<T extends object>(target: T, prop: PropertyKey): unknown {
  const value: unknown = Reflect.get(target, prop, target)
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
}
