/**
 * A `Vary` header that keeps what the host already put there: the app's middleware answers for
 * the same request (`cors()` adds `Vary: Origin`), and a route file's own `Vary: Accept` replacing
 * it would let a shared cache serve one origin's `Access-Control-Allow-Origin` to another. Field
 * names are compared case-insensitively; `*` stands for all.
 *
 * @example
 * mergedVary('Origin', 'Accept, origin') // 'Origin, Accept'
 */
export function mergedVary(existing: string | number | readonly string[] | undefined, added: string): string {
  const fields: string[] = []
  const seen = new Set<string>()
  for (const list of [...(Array.isArray(existing) ? existing : existing === undefined ? [] : [String(existing)]), added]) {
    for (const raw of list.split(',')) {
      const field = raw.trim()
      if (field === '' || seen.has(field.toLowerCase())) continue
      if (field === '*') return '*'
      seen.add(field.toLowerCase())
      fields.push(field)
    }
  }
  return fields.join(', ')
}
