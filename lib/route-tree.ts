import { routeHandlersError } from './errors.ts'
import type { ScannedRoute } from './scan.ts'
import { wireForm, type Segment } from './segments.ts'
import type { HttpMethod, RouteInfo } from './types.ts'

/** A route file in the table; `methods` is filled in when its module has loaded. */
export interface RouteEntry extends RouteInfo {
  readonly relativeFile: string
  /** The real path to import (see ScannedRoute). */
  readonly moduleFile: string
  methods: HttpMethod[]
  /** The URL's pieces, for checking one path against this file alone (see `matchRouteFile`). */
  readonly shape: readonly ShapePiece[]
  /** The one raw path a file without params answers (`/blog/new`), compared as a whole. */
  readonly staticPath: string | undefined
}

/**
 * One piece of a route file's URL: a static folder by the raw segment it answers, or a param by
 * name (a catch-all is always the last piece).
 */
export type ShapePiece =
  | { readonly kind: 'static'; readonly wire: string }
  | { readonly kind: 'dynamic' | 'catch-all' | 'optional-catch-all'; readonly name: string }

interface ParamChild<T> {
  name: string
  owner: string
  value: T
}

/**
 * One URL level. A level has at most one `[x]`, one `[...x]` and one `[[...x]]` (start-up errors
 * forbid more), so matching tries a bounded number of branches per level whatever the table's size.
 */
export interface TreeNode {
  route?: RouteEntry
  /** Static children by the raw request segment they answer (see `wireForm`). */
  statics: Map<string, TreeNode>
  dynamic?: ParamChild<TreeNode>
  catchAll?: ParamChild<RouteEntry>
  optionalCatchAll?: ParamChild<RouteEntry>
}

export interface RouteTree {
  root: TreeNode
  /**
   * Routes whose URL has no dynamic part, keyed by the raw pathname clients send (non-ASCII
   * percent-encoded): one map lookup.
   */
  staticRoutes: Map<string, RouteEntry>
  routes: RouteEntry[]
}

type UrlSegment = Exclude<Segment, { kind: 'group' | 'private' | 'unsupported' }>

/**
 * Compiles scanned route files into a matching tree, throwing the start-up errors of SPEC
 * "Folders → URLs" with both offending files named. `previous`: the entries of the tree this one
 * replaces (dev reload), kept for the files still there, so what was loaded for them still holds.
 *
 * @example
 * const tree = buildRouteTree(scanRoutes('/srv/app'))
 */
export function buildRouteTree(scanned: ScannedRoute[], previous: readonly RouteEntry[] = []): RouteTree {
  const tree: RouteTree = { root: newNode(), staticRoutes: new Map(), routes: [] }
  const kept = new Map(previous.map((entry) => [entry.file, entry]))
  for (const route of scanned) insert(tree, route, kept.get(route.file))
  return tree
}

function insert(tree: RouteTree, scanned: ScannedRoute, previous: RouteEntry | undefined): void {
  const segments = urlSegments(scanned)
  const entry: RouteEntry =
    previous?.moduleFile === scanned.moduleFile
      ? previous
      : {
          pattern: `/${segments.map(patternOf).join('/')}`,
          file: scanned.file,
          moduleFile: scanned.moduleFile,
          relativeFile: scanned.relativeFile,
          methods: [],
          shape: segments.map(shapeOf),
          staticPath: segments.every((segment) => segment.kind === 'static') ? `/${segments.map((segment) => wireForm(segment.name)).join('/')}` : undefined,
        }
  let node = tree.root
  for (const segment of segments) {
    if (segment.kind === 'static') {
      const key = wireForm(segment.name)
      let child = node.statics.get(key)
      if (!child) node.statics.set(key, (child = newNode()))
      node = child
    } else if (segment.kind === 'dynamic') {
      node.dynamic ??= { name: segment.name, owner: entry.relativeFile, value: newNode() }
      assertSameName(node.dynamic, segment.name, entry)
      node = node.dynamic.value
    } else {
      placeCatchAll(node, segment.kind, segment.name, entry)
      break
    }
  }
  if (segments.at(-1)?.kind !== 'catch-all' && segments.at(-1)?.kind !== 'optional-catch-all') {
    if (node.route) throw routeHandlersError('RH_ERR_ROUTE_DUPLICATE', [node.route.relativeFile, entry.relativeFile, entry.pattern])
    if (node.optionalCatchAll) {
      throw routeHandlersError('RH_ERR_ROUTE_CATCH_ALL_CONFLICT', [entry.relativeFile, node.optionalCatchAll.owner, BESIDE_ROUTE])
    }
    node.route = entry
  }
  if (entry.staticPath !== undefined) tree.staticRoutes.set(entry.staticPath, entry)
  tree.routes.push(entry)
}

// The fix for each conflict: a route file for the folder's own path beside [[...x]], or two catch-alls.
const BESIDE_ROUTE = 'Remove one of them, or make the catch-all required ([...x]) so that the other answers the folder\'s own path.'
const BOTH_CATCH_ALLS = 'Keep one of them: the optional one answers every path the required one does, and the folder\'s own path.'

function placeCatchAll(node: TreeNode, kind: 'catch-all' | 'optional-catch-all', name: string, entry: RouteEntry): void {
  const other = kind === 'catch-all' ? node.optionalCatchAll : node.catchAll
  if (other) throw routeHandlersError('RH_ERR_ROUTE_CATCH_ALL_CONFLICT', [other.owner, entry.relativeFile, BOTH_CATCH_ALLS])
  if (kind === 'optional-catch-all' && node.route) {
    throw routeHandlersError('RH_ERR_ROUTE_CATCH_ALL_CONFLICT', [node.route.relativeFile, entry.relativeFile, BESIDE_ROUTE])
  }
  const key = kind === 'catch-all' ? 'catchAll' : 'optionalCatchAll'
  const existing = node[key]
  if (!existing) {
    node[key] = { name, owner: entry.relativeFile, value: entry }
    return
  }
  assertSameName(existing, name, entry)
  throw routeHandlersError('RH_ERR_ROUTE_DUPLICATE', [existing.owner, entry.relativeFile, entry.pattern])
}

function assertSameName(existing: ParamChild<unknown>, name: string, entry: RouteEntry): void {
  if (existing.name !== name) {
    throw routeHandlersError('RH_ERR_ROUTE_PARAM_MISMATCH', [existing.owner, entry.relativeFile, existing.name, name])
  }
}

/** The folders that shape the URL, after checking each one is allowed where it stands. */
function urlSegments(scanned: ScannedRoute): UrlSegment[] {
  const result: UrlSegment[] = []
  const names = new Set<string>()
  for (const segment of scanned.segments) {
    if (segment.kind === 'unsupported') {
      throw routeHandlersError('RH_ERR_SEGMENT_UNSUPPORTED', [scanned.relativeFile, segment.folder, segment.reason])
    }
    if (segment.kind === 'group' || segment.kind === 'private') continue
    const previous = result.at(-1)
    if (previous && (previous.kind === 'catch-all' || previous.kind === 'optional-catch-all')) {
      throw routeHandlersError('RH_ERR_ROUTE_CATCH_ALL_NOT_LAST', [scanned.relativeFile, previous.folder])
    }
    if (segment.kind !== 'static') {
      if (names.has(segment.name)) throw routeHandlersError('RH_ERR_ROUTE_PARAM_REPEATED', [scanned.relativeFile, segment.name])
      names.add(segment.name)
    }
    result.push(segment)
  }
  return result
}

function patternOf(segment: UrlSegment): string {
  switch (segment.kind) {
    case 'static':
      return segment.name
    case 'dynamic':
      return `[${segment.name}]`
    case 'catch-all':
      return `[...${segment.name}]`
    case 'optional-catch-all':
      return `[[...${segment.name}]]`
  }
}

function shapeOf(segment: UrlSegment): ShapePiece {
  return segment.kind === 'static' ? { kind: 'static', wire: wireForm(segment.name) } : { kind: segment.kind, name: segment.name }
}

function newNode(): TreeNode {
  return { statics: new Map() }
}
