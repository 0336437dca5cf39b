/**
 * `URLPattern` from `next/server`: the global one where Node has it (Node 24 and later), else
 * `undefined`, as Next.js exports it.
 */
export const URLPattern = (globalThis as { URLPattern?: unknown }).URLPattern as typeof globalThis extends { URLPattern: infer Pattern } ? Pattern | undefined : undefined
