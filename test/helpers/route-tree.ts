import { buildRouteTree, type RouteTree } from '../../lib/route-tree.ts'
import { parseSegment } from '../../lib/segments.ts'

/** A tree from route file paths such as `blog/[slug]/route.ts`, without touching the disk. */
export function treeOf(files: string[]): RouteTree {
  return buildRouteTree(
    files.map((relativeFile) => ({
      file: `/virtual/${relativeFile}`,
      moduleFile: `/virtual/${relativeFile}`,
      relativeFile,
      segments: relativeFile.split('/').slice(0, -1).map(parseSegment),
    })),
  )
}
