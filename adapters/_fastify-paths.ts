/**
 * The Fastify (find-my-way) URLs under which a route file's pattern is registered. Fastify routes
 * the request to the file; the core checks the raw path against that file and computes params, so
 * every host agrees on every edge case. Params get neutral names (`:p0`) because find-my-way reads
 * `-` and `.` in a param name as separators.
 *
 * @example
 * fastifyPaths('/blog/[slug]/[[...rest]]', true) // ['/blog/:p0', '/blog/:p0/', '/blog/:p0/*']
 */
export function fastifyPaths(pattern: string, withTrailingSlash: boolean): string[] {
  const pieces = pattern === '/' ? [] : pattern.slice(1).split('/')
  let base = ''
  for (const [index, piece] of pieces.entries()) {
    if (piece.startsWith('[[...')) return [...variants(base || '/', withTrailingSlash), `${base}/*`]
    if (piece.startsWith('[...')) return [`${base}/*`]
    base += piece.startsWith('[') ? `/:p${index}` : `/${piece.replaceAll(':', '::')}`
  }
  return variants(base || '/', withTrailingSlash)
}

function variants(url: string, withTrailingSlash: boolean): string[] {
  return withTrailingSlash && url !== '/' ? [url, `${url}/`] : [url]
}
