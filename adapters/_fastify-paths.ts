/**
 * The Fastify (find-my-way) URLs under which a route file's pattern is registered. Fastify routes
 * the request to the file; the core checks the raw path against that file and computes params, so
 * every host agrees on every edge case. Params get neutral names (`:p0`) because find-my-way reads
 * `-` and `.` in a param name as separators. No `/x/` twin: the app's router folds it onto `/x`
 * (`ignoreTrailingSlash`), or the plugin redirects it there (`redirectToSlashless` in fastify.ts,
 * with lib/trailing-slash.ts).
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
