import { routeHandlersError } from './errors.ts'
import { emptyParams } from './params-object.ts'
import { hasRepeatedSlashes, withSingleSlashes } from './repeated-slashes.ts'
import { hasTrailingSlash, SLASH } from './trailing-slash.ts'
import type { RouteEntry, RouteTree, TreeNode } from './route-tree.ts'
import type { RouteMatch } from './types.ts'

/**
 * A match of a path with repeated slashes or a backslash, made by {@link matchRoute} from its clean
 * form: answered with the `308` to that form. Marked where it is made, so that the answer does not
 * search the path for them again on every request.
 */
interface SingleSlashMatch extends RouteMatch {
  readonly singleSlashRedirect: true
}

/** True for a match that {@link matchRoute} made of a path to redirect to its single-slash form. */
export function redirectsToSingleSlashes(match: RouteMatch): boolean {
  return (match as Partial<SingleSlashMatch>).singleSlashRedirect === true
}

/** A param's pieces: `pieces[start..end)`; a catch-all's are an array, a `[x]`'s one string. */
interface Capture {
  name: string
  start: number
  end: number
  many: boolean
}

/**
 * The path's pieces, split on `/` while still encoded (so `%2F` never splits a segment), each
 * decoded on first need: `null` once decoding failed.
 */
class Pieces {
  readonly raw: string[]
  readonly #decoded: Array<string | null | undefined>

  constructor(path: string) {
    this.raw = path === '/' ? [] : segmentsOf(path)
    this.#decoded = new Array(this.raw.length)
  }

  decoded(index: number): string | null {
    let value = this.#decoded[index]
    if (value === undefined) {
      const raw = this.raw[index]!
      value = raw.includes('%') ? tryDecode(raw) : raw
      this.#decoded[index] = value
    }
    return value
  }
}

/**
 * `path.slice(1).split('/')` for a path that starts with `/`, at well under half the cost: V8's
 * `split` goes through the runtime (and a `Symbol.split` lookup) on every call, and this runs on
 * every request to a dynamic route.
 */
function segmentsOf(path: string): string[] {
  const segments: string[] = []
  let start = 1
  for (let slash = path.indexOf('/', start); slash !== -1; slash = path.indexOf('/', start)) {
    segments.push(path.slice(start, slash))
    start = slash + 1
  }
  segments.push(path.slice(start))
  return segments
}

/**
 * Finds the route for a mount-relative pathname (`/blog/hello`), following SPEC's precedence: at
 * each level the folder's own route, then static children, `[x]`, `[...x]`, `[[...x]]`, depth first.
 * Matching works on the encoded path split at `/`. Static segments compare raw, as Express's
 * routing and its middleware do (`/%61dmin` is not `/admin`: were it, a request could reach
 * `admin/` route files past `app.use('/admin', auth)`); params are decoded. One trailing slash is
 * tolerated, and so are repeated slashes and backslashes, matched as their clean form (`pathname`
 * stays as given: the caller redirects both).
 *
 * @example
 * matchRoute(tree, '/blog/a%20b') // { route: <blog/[slug]>, params: { slug: 'a b' } }
 */
export function matchRoute(tree: RouteTree, pathname: string, maxParamLength = Infinity): RouteMatch | null {
  // Redirected to its clean form (repeated-slashes.ts): the match says whose path that will be, and
  // keeps the path as it came, for the redirect.
  if (hasRepeatedSlashes(pathname)) {
    const clean = withSingleSlashes(pathname)
    // Not when the clean form shows a dot segment (`/items/..\..\admin`): matched raw, below, a
    // param that would take it is refused (400) rather than redirected to a path that climbs.
    if (!segmentsOf(clean).some(isDotSegment)) {
      const found = matchRoute(tree, clean, maxParamLength)
      if (found === null) return null
      const redirect: SingleSlashMatch = { ...found, pathname, singleSlashRedirect: true }
      return redirect
    }
  }
  const path = hasTrailingSlash(pathname) ? pathname.slice(0, -1) : pathname
  const exact = tree.staticRoutes.get(path)
  if (exact) return { route: exact, params: emptyParams(), pathname }
  const pieces = new Pieces(path)
  const captures: Capture[] = []
  const route = search(tree.root, pieces, 0, captures)
  return route ? toMatch(route, pieces, captures, pathname, maxParamLength) : null
}

/**
 * Checks a mount-relative pathname against one route file alone, for a host whose router has
 * already chosen that file (Fastify's find-my-way): no tree search. The file's own rules hold as in
 * {@link matchRoute}: static segments compare raw, byte for byte (find-my-way routes
 * `/api/%68ealth` to `/api/health`; here it is no match), params are decoded after the split, one
 * trailing slash is tolerated, empty segments match nothing. `null` when the path is not this
 * file's; the caller then answers not-found rather than look for another file, so a request
 * never reaches a route file other than the one the host routed it to.
 *
 * @example
 * matchRouteFile(blogSlugEntry, '/blog/a%20b') // { route: blogSlugEntry, params: { slug: 'a b' } }
 */
export function matchRouteFile(route: RouteEntry, pathname: string, maxParamLength = Infinity): RouteMatch | null {
  const path = hasTrailingSlash(pathname) ? pathname.slice(0, -1) : pathname
  if (route.staticPath !== undefined) return path === route.staticPath ? { route, params: emptyParams(), pathname } : null
  const { shape } = route
  if (shape[shape.length - 1]!.kind !== 'catch-all' && shape[shape.length - 1]!.kind !== 'optional-catch-all') {
    return matchSegmentsFile(route, path, pathname, maxParamLength)
  }
  const pieces = new Pieces(path)
  const { raw } = pieces
  const captures: Capture[] = []
  for (let index = 0; index < shape.length; index++) {
    const piece = shape[index]!
    if (piece.kind === 'static') {
      if (raw[index] !== piece.wire) return null
    } else if (piece.kind === 'dynamic') {
      if (index >= raw.length || raw[index] === '') return null
      captures.push({ name: piece.name, start: index, end: index + 1, many: false })
    } else {
      // A catch-all, always last: the rest of the path, one piece or more ([[...x]]: zero or more,
      // and no param at all for zero).
      if (index === raw.length && piece.kind === 'optional-catch-all') break
      if (index >= raw.length) return null
      for (let rest = index; rest < raw.length; rest++) if (raw[rest] === '') return null
      captures.push({ name: piece.name, start: index, end: raw.length, many: true })
      return toMatch(route, pieces, captures, pathname, maxParamLength)
    }
  }
  const optionalRestEmpty = shape.at(-1)?.kind === 'optional-catch-all' && raw.length === shape.length - 1
  return raw.length === shape.length || optionalRestEmpty ? toMatch(route, pieces, captures, pathname, maxParamLength) : null
}

/**
 * {@link matchRouteFile} for a file whose URL has no catch-all (`items/[slug]`), the common
 * dynamic route: one pass over the path, each segment compared or captured where it lies, with
 * no arrays of pieces. `path` has had its one trailing slash taken off.
 */
function matchSegmentsFile(route: RouteEntry, path: string, pathname: string, maxParamLength: number): RouteMatch | null {
  const { shape } = route
  const params = emptyParams()
  let malformed = false
  let dotted = false
  let tooLong: string | undefined
  let start = 1
  for (let index = 0; index < shape.length; index++) {
    const piece = shape[index]!
    const last = index === shape.length - 1
    let end: number
    if (piece.kind === 'static') {
      // Compared where it must lie (it holds no slash), then a slash or the path's end after it:
      // no search for the next slash.
      end = start + piece.wire.length
      if (!path.startsWith(piece.wire, start) || (last ? end !== path.length : path.charCodeAt(end) !== SLASH)) return null
    } else {
      // V8's string search, not a `charCodeAt` loop, which on Node 20 is slower even over the
      // few characters of a segment.
      const slash = path.indexOf('/', start)
      end = slash === -1 ? path.length : slash
      if ((end === path.length) !== last || end === start) return null
      const raw = path.slice(start, end)
      const encoded = raw.includes('%')
      const dot = !encoded && raw.includes('.')
      const value = encoded ? tryDecode(raw) : raw
      malformed ||= value === null
      dotted ||= value !== null && (encoded || dot) && hasDotSegment(value)
      if (value !== null && value.length > maxParamLength) tooLong ??= piece.name
      params[piece.name] = value ?? ''
    }
    start = end + 1
  }
  return withPathErrors({ route, params, pathname }, malformed, dotted, tooLong, maxParamLength)
}

// Backtracking walk; `captures` is a stack, pushed on the way down and popped on the way back.
function search(node: TreeNode, pieces: Pieces, index: number, captures: Capture[]): RouteEntry | null {
  const { raw } = pieces
  if (index === raw.length) return node.route ?? node.optionalCatchAll?.value ?? null
  if (raw[index] === '') return null
  const staticChild = node.statics.get(raw[index]!)
  if (staticChild) {
    const found = search(staticChild, pieces, index + 1, captures)
    if (found) return found
  }
  if (node.dynamic) {
    captures.push({ name: node.dynamic.name, start: index, end: index + 1, many: false })
    const found = search(node.dynamic.value, pieces, index + 1, captures)
    if (found) return found
    captures.pop()
  }
  const catchAll = node.catchAll ?? node.optionalCatchAll
  if (!catchAll) return null
  for (let rest = index; rest < raw.length; rest++) if (raw[rest] === '') return null
  captures.push({ name: catchAll.name, start: index, end: raw.length, many: true })
  return catchAll.value
}

function toMatch(route: RouteEntry, pieces: Pieces, captures: Capture[], pathname: string, maxParamLength: number): RouteMatch {
  // Inheriting nothing: a folder named [__proto__] or [constructor] is just a key.
  const params = emptyParams()
  let malformed = false
  let dotted = false
  let tooLong: string | undefined
  for (const { name, start, end, many } of captures) {
    const values: string[] = []
    for (let index = start; index < end; index++) {
      const value = pieces.decoded(index)
      malformed ||= value === null
      dotted ||= value !== null && hasDotSegment(value)
      values.push(value ?? '')
    }
    // Measured decoded, as find-my-way measures Fastify's own params.
    if (!many && values[0]!.length > maxParamLength) tooLong ??= name
    params[name] = many ? values : values[0]!
  }
  return withPathErrors({ route, params, pathname }, malformed, dotted, tooLong, maxParamLength)
}

/** The match, with the error its params make it, in this order: encoding, dot segment, length. */
function withPathErrors(match: RouteMatch, malformed: boolean, dotted: boolean, tooLong: string | undefined, maxParamLength: number): RouteMatch {
  if (malformed) return { ...match, error: routeHandlersError('RH_ERR_PATH_ENCODING', [match.pathname]) }
  // Raw or encoded (`%2E%2E`, `..%2F..`, `..\..`): a URL parser would resolve it, so no client
  // that parses its URLs sends one, and a handler joining params into a file path or an upstream
  // URL would leave the path it was routed under.
  if (dotted) return { ...match, error: routeHandlersError('RH_ERR_PATH_DOT_SEGMENT', [match.pathname]) }
  if (tooLong !== undefined) return { ...match, error: routeHandlersError('RH_ERR_PATH_PARAM_TOO_LONG', [tooLong, maxParamLength]) }
  return match
}

function tryDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw)
  } catch {
    return null
  }
}

// A decoded param that is, or holds, a `.` or `..` path segment: `%2F` and `%5C` decode to the
// separators a file path or a URL built from the param would split at (`..%2F..%2Fadmin`), and a
// URL parser reads `\` as `/`.
function hasDotSegment(value: string): boolean {
  if (!value.includes('.')) return false
  return value.split(/[/\\]/).some(isDotSegment)
}

function isDotSegment(piece: string): boolean {
  return piece === '.' || piece === '..'
}
