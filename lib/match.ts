import { routeHandlersError } from './errors.ts'
import type { RouteEntry, RouteTree, TreeNode } from './route-tree.ts'
import type { Params, RouteMatch } from './types.ts'

/** A path piece: the raw text and its decoded form (`null` when the percent-encoding is malformed). */
interface Piece {
  raw: string
  decoded: string | null
}

interface Found {
  route: RouteEntry
  captures: Array<[name: string, pieces: Piece | Piece[]]>
}

/**
 * Finds the route for a mount-relative pathname (`/blog/hello`), following SPEC's precedence: at
 * each level the folder's own route, then static children, `[x]`, `[...x]`, `[[...x]]`, depth first.
 * Matching works on the encoded path split at `/`, so `%2F` never splits a segment; each piece is
 * decoded afterwards. One trailing slash is tolerated.
 *
 * @example
 * matchRoute(tree, '/blog/a%20b') // { route: <blog/[slug]>, params: { slug: 'a b' } }
 */
export function matchRoute(tree: RouteTree, pathname: string): RouteMatch | null {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
  if (!path.includes('%')) {
    const exact = tree.staticRoutes.get(path)
    if (exact) return { route: exact, params: Object.create(null) as Params }
  }
  const pieces = path === '/' ? [] : path.slice(1).split('/').map(toPiece)
  const found = search(tree.root, pieces, 0, [])
  return found ? toMatch(found, pathname) : null
}

function search(node: TreeNode, pieces: Piece[], index: number, captures: Found['captures']): Found | null {
  if (index === pieces.length) {
    if (node.route) return { route: node.route, captures }
    if (node.optionalCatchAll) return { route: node.optionalCatchAll.value, captures }
    return null
  }
  const piece = pieces[index]!
  if (piece.raw === '') return null
  const staticChild = piece.decoded === null ? undefined : node.statics.get(piece.decoded)
  if (staticChild) {
    const found = search(staticChild, pieces, index + 1, captures)
    if (found) return found
  }
  if (node.dynamic) {
    const found = search(node.dynamic.value, pieces, index + 1, [...captures, [node.dynamic.name, piece]])
    if (found) return found
  }
  const rest = pieces.slice(index)
  if (rest.some((part) => part.raw === '')) return null
  const catchAll = node.catchAll ?? node.optionalCatchAll
  return catchAll ? { route: catchAll.value, captures: [...captures, [catchAll.name, rest]] } : null
}

function toMatch(found: Found, pathname: string): RouteMatch {
  // Null prototype: a folder named [__proto__] or [constructor] is just a key.
  const params = Object.create(null) as Params
  let malformed = false
  for (const [name, value] of found.captures) {
    if (Array.isArray(value)) {
      params[name] = value.map((piece) => piece.decoded ?? '')
      malformed ||= value.some((piece) => piece.decoded === null)
    } else {
      params[name] = value.decoded ?? ''
      malformed ||= value.decoded === null
    }
  }
  if (malformed) return { route: found.route, params, error: routeHandlersError('RH_ERR_PATH_ENCODING', [pathname]) }
  return { route: found.route, params }
}

function toPiece(raw: string): Piece {
  if (!raw.includes('%')) return { raw, decoded: raw }
  try {
    return { raw, decoded: decodeURIComponent(raw) }
  } catch {
    return { raw, decoded: null }
  }
}
