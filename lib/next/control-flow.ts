/**
 * The errors `redirect()` and `notFound()` throw to stop a handler, in Next.js's own digest format
 * (`NEXT_REDIRECT;replace;/url;307;`), so code that recognises Next's errors recognises ours, and
 * the dispatcher recognises errors from any copy of this package.
 */
const REDIRECT = 'NEXT_REDIRECT'
const HTTP_FALLBACK = 'NEXT_HTTP_ERROR_FALLBACK'

export type RedirectKind = 'push' | 'replace'

interface DigestError extends Error {
  digest: string
}

export function redirectError(url: string, kind: RedirectKind, status: number): DigestError {
  return Object.assign(new Error(REDIRECT), { digest: `${REDIRECT};${kind};${url};${status};` })
}

export function httpFallbackError(status: 401 | 403 | 404): DigestError {
  return Object.assign(new Error(`${HTTP_FALLBACK};${status}`), { digest: `${HTTP_FALLBACK};${status}` })
}

function digestOf(error: unknown): string | undefined {
  const digest = typeof error === 'object' && error !== null ? (error as { digest?: unknown }).digest : undefined
  return typeof digest === 'string' ? digest : undefined
}

/** `{ url, status }` when `error` came from `redirect()`/`permanentRedirect()`. */
export function redirectOf(error: unknown): { url: string; status: number } | null {
  const digest = digestOf(error)
  if (!digest?.startsWith(`${REDIRECT};`)) return null
  // The URL itself may contain `;`, so take the type from the front and the status from the back.
  const parts = digest.split(';')
  const status = Number(parts.at(-2))
  const url = parts.slice(2, -2).join(';')
  return Number.isInteger(status) ? { url, status } : null
}

/** The status of a `notFound()`/`forbidden()`/`unauthorized()` error (Next 14's `NEXT_NOT_FOUND` too). */
export function httpFallbackOf(error: unknown): number | null {
  const digest = digestOf(error)
  if (digest === 'NEXT_NOT_FOUND') return 404
  if (!digest?.startsWith(`${HTTP_FALLBACK};`)) return null
  const status = Number(digest.slice(HTTP_FALLBACK.length + 1))
  return Number.isInteger(status) ? status : null
}

export function isControlFlowError(error: unknown): boolean {
  return redirectOf(error) !== null || httpFallbackOf(error) !== null
}
