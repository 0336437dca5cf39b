/**
 * The Fastify (find-my-way) URLs under which a route file's pattern is registered. Fastify routes
 * the request to the file; the core checks the raw path against that file and computes params, so
 * every host agrees on every edge case. A param keeps its folder's name (`[id]` → `:id`), so the
 * app's hooks read `request.params.id` and `routeOptions.url` as they would for a route of their
 * own; a name find-my-way would misread (it takes `-` and `.` as separators: `[post-id]`) gets a
 * neutral one by position (`:p1`). No `/x/` twin: the app's router folds it onto `/x`
 * (`ignoreTrailingSlash`), or the plugin redirects it there (`redirectToSlashless` in fastify.ts,
 * with lib/trailing-slash.ts).
 *
 * @example
 * fastifyPaths('/blog/[slug]/[[...rest]]') // ['/blog/:slug', '/blog/:slug/*']
 */
export function fastifyPaths(pattern: string): string[] {
  const pieces = pattern === '/' ? [] : pattern.slice(1).split('/')
  const taken = new Set(pieces.filter((piece) => piece.startsWith('[')).map((piece) => piece.slice(1, -1)))
  let base = ''
  for (const [index, piece] of pieces.entries()) {
    if (piece.startsWith('[[...')) return [base || '/', `${base}/*`]
    if (piece.startsWith('[...')) return [`${base}/*`]
    base += piece.startsWith('[') ? `/:${paramName(piece.slice(1, -1), index, taken)}` : `/${piece.replaceAll(':', '::')}`
  }
  return [base || '/']
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

// The folder's name, or one by position that no other param of the URL has (`[p1]/[a-b]`).
function paramName(name: string, index: number, taken: ReadonlySet<string>): string {
  if (PLAIN_NAME.test(name)) return name
  let neutral = `p${index}`
  while (taken.has(neutral)) neutral = `_${neutral}`
  return neutral
}
