/**
 * The Fastify (find-my-way) URLs under which a route file's pattern is registered. Fastify routes
 * the request to the file; the core checks the raw path against that file and computes params, so
 * every host agrees on every edge case. Params get neutral names (`:p0`) because find-my-way reads
 * `-` and `.` in a param name as separators. No `/x/` twin: the app's router folds it onto `/x`
 * (`ignoreTrailingSlash`), or the plugin redirects it there (`redirectToSlashless` in fastify.ts).
 *
 * @example
 * fastifyPaths('/blog/[slug]/[[...rest]]') // ['/blog/:p0', '/blog/:p0/*']
 */
export function fastifyPaths(pattern: string): string[] {
  const pieces = pattern === '/' ? [] : pattern.slice(1).split('/')
  let base = ''
  for (const [index, piece] of pieces.entries()) {
    if (piece.startsWith('[[...')) return [base || '/', `${base}/*`]
    if (piece.startsWith('[...')) return [`${base}/*`]
    base += piece.startsWith('[') ? `/:p${index}` : `/${piece.replaceAll(':', '::')}`
  }
  return [base || '/']
}

/**
 * Where a request for `/x/` is redirected, as Next.js does (`trailingSlash: false`): its
 * origin-form target with one trailing slash dropped from the path, the query kept. `null` when the
 * path has none to drop, or when dropping it would leave a target a client reads as another host
 * (`//evil.example/` → `//evil.example`) or as the root.
 */
export function slashlessTarget(target: string): string | null {
  const end = target.search(/[?#]/)
  const path = end === -1 ? target : target.slice(0, end)
  if (path.length < 3 || !path.endsWith('/')) return null
  const location = path.slice(0, -1)
  if (location.startsWith('//') || location.startsWith('/\\')) return null
  return location + (end === -1 ? '' : target.slice(end))
}
