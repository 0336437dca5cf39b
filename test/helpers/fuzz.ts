/** Random but reproducible requests: a small seeded generator, so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SEGMENTS = [
  'items', 'conventions', 'files', 'precedence', 'blog', 'dispatch', 'bodies', 'about', '(marketing)', '_private', '%5Fprivate',
  '..', '.', '%2e%2e', '%2E%2E', '%2F', '%2f..%2f', '%00', '%', '%Z', '%E0%A4%A', '%C3%A9', 'caf%C3%A9', '\u00e9', '%F0%9F%98%80',
  '__proto__', 'constructor', 'then', '', ' ', '+', '%20', '*', ':id', '[slug]', '..%5C..', '\\', 'rss.xml', 'route.ts', 'a'.repeat(300),
]
const METHODS = ['GET', 'GET', 'GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']
const HEADER_VALUES = ['', 'x', '%', '\u00e9', 'a=b; c', 'application/json', 'multipart/form-data', 'multipart/form-data; boundary=', '{', '\t ']

/** A request line path: random segments, percent-encoded where the wire needs it, sometimes a query. */
export function randomPath(random: () => number): string {
  const count = Math.floor(random() * 6)
  const segments = Array.from({ length: count }, () => SEGMENTS[Math.floor(random() * SEGMENTS.length)]!)
  const path = `/${segments.join('/')}${random() < 0.2 ? '/' : ''}${random() < 0.2 ? '?q=%ZZ&x=1' : ''}`
  // Only visible ASCII may go on the wire; encode the rest as a client would.
  return path.replace(/[^\x21-\x7e]/g, (char) => encodeURIComponent(char))
}

export function randomMethod(random: () => number): string {
  return METHODS[Math.floor(random() * METHODS.length)]!
}

/** A few random headers: cookies, content types and unknown names with odd values. */
export function randomHeaders(random: () => number): Record<string, string> {
  const headers: Record<string, string> = {}
  const pick = () => HEADER_VALUES[Math.floor(random() * HEADER_VALUES.length)]!
  if (random() < 0.5) headers.cookie = `${pick()}=${pick()}; a=%E0`.replace(/[^\x20-\x7e]/g, '')
  if (random() < 0.5) headers['content-type'] = pick().replace(/[^\x20-\x7e]/g, '')
  if (random() < 0.5) headers[`x-fuzz-${Math.floor(random() * 1000)}`] = pick().replace(/[^\x20-\x7e]/g, '')
  if (random() < 0.1) headers.referer = '%'
  return headers
}
