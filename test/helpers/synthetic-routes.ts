/** `count` route files shaped like a real API: static, dynamic, nested dynamic and catch-all routes. */
export function syntheticRouteFiles(count: number): string[] {
  const files: string[] = []
  for (let section = 0; files.length < count; section++) {
    files.push(
      `section${section}/route.ts`,
      `section${section}/items/route.ts`,
      `section${section}/items/[id]/route.ts`,
      `section${section}/items/[id]/comments/[commentId]/route.ts`,
      `section${section}/[...rest]/route.ts`,
    )
  }
  return files.slice(0, count)
}

/** A deep path with two dynamic segments, in the last section of a table of `count` routes. */
export function deepDynamicPath(count: number): string {
  return `/section${Math.floor((count - 1) / 5)}/items/42/comments/7`
}
