/**
 * Matching cost against table size: a deep dynamic path in tables of 50 and 5,000 routes.
 * Prints nanoseconds per match and the ratio; the ratio should stay near 1.
 */
import { matchRoute } from '../lib/match.ts'
import { treeOf } from '../test/helpers/route-tree.ts'
import { deepDynamicPath, syntheticRouteFiles } from '../test/helpers/synthetic-routes.ts'

const ITERATIONS = 500_000

function nanosecondsPerMatch(count: number): number {
  const tree = treeOf(syntheticRouteFiles(count))
  const path = deepDynamicPath(count)
  for (let index = 0; index < 50_000; index++) matchRoute(tree, path)
  const start = process.hrtime.bigint()
  for (let index = 0; index < ITERATIONS; index++) matchRoute(tree, path)
  return Number(process.hrtime.bigint() - start) / ITERATIONS
}

const small = nanosecondsPerMatch(50)
const large = nanosecondsPerMatch(5000)
console.log(`match ${deepDynamicPath(50)}-style path:`)
console.log(`   50 routes: ${small.toFixed(0)} ns/match`)
console.log(` 5000 routes: ${large.toFixed(0)} ns/match`)
console.log(`       ratio: ${(large / small).toFixed(2)}×`)
