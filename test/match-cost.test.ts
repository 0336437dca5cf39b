import assert from 'node:assert/strict'
import { test } from 'node:test'
import { matchRoute } from '../lib/match.ts'
import type { RouteTree, TreeNode } from '../lib/route-tree.ts'
import { treeOf } from './helpers/route-tree.ts'
import { deepDynamicPath, syntheticRouteFiles } from './helpers/synthetic-routes.ts'

/** Replaces every level's map of static children with one that counts its lookups. */
function countLookups(tree: RouteTree): { lookups: number } {
  const counter = { lookups: 0 }
  class CountingMap<K, V> extends Map<K, V> {
    override get(key: K): V | undefined {
      counter.lookups++
      return super.get(key)
    }
  }
  const visit = (node: TreeNode): void => {
    node.statics = new CountingMap(node.statics)
    for (const child of node.statics.values()) visit(child)
    if (node.dynamic) visit(node.dynamic.value)
  }
  visit(tree.root)
  return counter
}

test('matching a deep dynamic path costs the same with 50 and with 5,000 routes', () => {
  const lookups = [50, 5000].map((count) => {
    const tree = treeOf(syntheticRouteFiles(count))
    assert.equal(tree.routes.length, count)
    const counter = countLookups(tree)
    const match = matchRoute(tree, deepDynamicPath(count))
    assert.equal(match?.route.pattern.endsWith('/items/[id]/comments/[commentId]'), true)
    assert.deepEqual({ ...match?.params }, { id: '42', commentId: '7' })
    return counter.lookups
  })
  assert.ok(lookups[0]! > 0)
  assert.equal(lookups[1], lookups[0])
})
