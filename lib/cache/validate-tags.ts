/** Next.js's `NEXT_CACHE_TAG_MAX_LENGTH` and `NEXT_CACHE_TAG_MAX_ITEMS`. */
const TAG_MAX_LENGTH = 256
const TAG_MAX_ITEMS = 128

/**
 * The usable tags of a call (Next.js's `validateTags`): strings of at most 256 characters, at most
 * 128 of them; the others are dropped with Next's warning.
 */
export function validateTags(tags: readonly unknown[], description: string): string[] {
  const valid: string[] = []
  const invalid: { tag: unknown; reason: string }[] = []
  for (const tag of tags) {
    if (typeof tag !== 'string') invalid.push({ tag, reason: 'invalid type, must be a string' })
    else if (tag.length > TAG_MAX_LENGTH) invalid.push({ tag, reason: `exceeded max length of ${TAG_MAX_LENGTH}` })
    else valid.push(tag)
    if (valid.length > TAG_MAX_ITEMS) {
      console.warn(`Warning: exceeded max tag count for ${description}, dropped tags:`, tags.slice(tags.indexOf(tag)).join(', '))
      valid.pop()
      break
    }
  }
  if (invalid.length > 0) {
    console.warn(`Warning: invalid tags passed to ${description}: `)
    for (const { tag, reason } of invalid) console.log(`tag: "${String(tag)}" ${reason}`)
  }
  return valid
}
