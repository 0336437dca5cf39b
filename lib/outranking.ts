import type { RouteEntry, RouteTree, TreeNode } from './route-tree.ts'

/**
 * Whether a host that routes by method as well as path (Fastify: one find-my-way tree per method,
 * holding only the methods each file exports) may hand `route` a request for `method` whose path
 * the route table gives to another file: one that takes precedence over `route` for some of its
 * paths (a static `users/me` over `users/[id]`, a folder's own `files/route.ts` over the empty
 * wildcard of `files/[...path]`) but does not answer `method`, so the host's router passed over
 * it. Only then must the host's choice be checked against the whole table; a file nothing outranks
 * (most of them, every static one) is checked against itself alone.
 *
 * Conservative: a file counts as outranking when it sits where the match would try it first,
 * whether or not the rest of its URL fits the same paths (a needless check is only a full match).
 * Remembered per table, file and method: call it for a table that no longer changes (the Fastify
 * plugin binds routes to files only without dev reload).
 */
export function mayBeOutranked(tree: RouteTree, route: RouteEntry, method: string): boolean {
  const known = memoFor(tree, route)
  let outranked = known.byMethod[method]
  if (outranked === undefined) {
    outranked = known.outranking.some((other) => !answersMethod(other, method))
    known.byMethod[method] = outranked
  }
  return outranked
}

/**
 * Whether any file outranks `route` for some of its paths (see {@link mayBeOutranked}), whatever
 * the method: when none does, the host's choice of `route` holds for every method.
 */
export function hasOutranking(tree: RouteTree, route: RouteEntry): boolean {
  return memoFor(tree, route).outranking.length > 0
}

/** Whether a file's own handler answers `method`: one it exports, or `HEAD` through its `GET`. */
export function answersMethod(route: RouteEntry, method: string): boolean {
  return route.methods.includes(method as RouteEntry['methods'][number]) || (method === 'HEAD' && route.methods.includes('GET'))
}

// By file: the table it was worked out for (dev reload makes new ones), the files that outrank it,
// and the answer by method (a plain object: one property read per request).
interface Outranking {
  tree: RouteTree
  outranking: readonly RouteEntry[]
  byMethod: Record<string, boolean | undefined>
}
const memo = new WeakMap<RouteEntry, Outranking>()

function memoFor(tree: RouteTree, route: RouteEntry): Outranking {
  let known = memo.get(route)
  if (known === undefined || known.tree !== tree) memo.set(route, (known = { tree, outranking: outrankingRoutes(tree, route), byMethod: Object.create(null) }))
  return known
}

// Walks the tree along the route's URL: at a `[x]`, the static folders beside it are tried first;
// at a catch-all, everything else at that level is (the folder's own route, statics, `[x]`).
function outrankingRoutes(tree: RouteTree, route: RouteEntry): RouteEntry[] {
  const found: RouteEntry[] = []
  let node: TreeNode | undefined = tree.root
  for (const piece of route.shape) {
    if (!node) break
    if (piece.kind === 'static') {
      node = node.statics.get(piece.wire)
      continue
    }
    for (const child of node.statics.values()) collect(child, found)
    if (piece.kind === 'dynamic') {
      node = node.dynamic?.value
      continue
    }
    if (node.route) found.push(node.route)
    if (node.dynamic) collect(node.dynamic.value, found)
    break
  }
  return found.filter((other) => other !== route)
}

function collect(node: TreeNode, found: RouteEntry[]): void {
  if (node.route) found.push(node.route)
  for (const child of node.statics.values()) collect(child, found)
  if (node.dynamic) collect(node.dynamic.value, found)
  if (node.catchAll) found.push(node.catchAll.value)
  if (node.optionalCatchAll) found.push(node.optionalCatchAll.value)
}
