/**
 * What one folder name means in a URL (SPEC "Folders → URLs"). Pure and table-tested.
 */
export type Segment =
  | { kind: 'static'; name: string; folder: string }
  | { kind: 'dynamic'; name: string; folder: string }
  | { kind: 'catch-all'; name: string; folder: string }
  | { kind: 'optional-catch-all'; name: string; folder: string }
  | { kind: 'group'; folder: string }
  | { kind: 'private'; folder: string }
  | { kind: 'unsupported'; folder: string; reason: string }

const PARAM_NAME = /^[^[\].\/][^[\]\/]*$/

/**
 * Classifies a folder name.
 *
 * @example
 * parseSegment('[...slug]') // { kind: 'catch-all', name: 'slug', folder: '[...slug]' }
 */
export function parseSegment(folder: string): Segment {
  if (folder.startsWith('_')) return { kind: 'private', folder }
  if (folder.startsWith('@')) return unsupported(folder, 'is a parallel-route slot (@slot), which route handlers do not use')
  if (/^\(\.{1,3}\)/.test(folder)) {
    return unsupported(folder, 'is an intercepting route, which route handlers do not use')
  }
  if (folder.startsWith('(') && folder.endsWith(')') && folder.length > 2) return { kind: 'group', folder }
  if (folder.startsWith('[[...') && folder.endsWith(']]')) return param('optional-catch-all', folder, folder.slice(5, -2))
  if (folder.startsWith('[[') && folder.endsWith(']]')) {
    return unsupported(folder, 'is an optional single parameter ([[x]]), which Next.js does not support; use [[...x]]')
  }
  if (folder.startsWith('[...') && folder.endsWith(']')) return param('catch-all', folder, folder.slice(4, -1))
  if (folder.startsWith('[') && folder.endsWith(']')) return param('dynamic', folder, folder.slice(1, -1))
  if (folder.includes('[') || folder.includes(']')) return unsupported(folder, 'has unbalanced brackets')
  const ambiguous = AMBIGUOUS_ON_THE_WIRE.exec(folder)
  if (ambiguous) {
    return unsupported(
      folder,
      `has "${ambiguous[0]}", which clients send raw or percent-encoded depending on the client, so its URL would not be one path (and the host's middleware would guard only one spelling)`,
    )
  }
  // %5F escapes a leading underscore: `%5Fname` is the public URL segment `_name`.
  const name = /^%5f/i.test(folder) ? `_${folder.slice(3)}` : folder
  return { kind: 'static', name, folder }
}

// Printable ASCII that WHATWG URL clients (browsers, fetch) percent-encode in a path or turn into
// another character (`\` → `/`), or that ends the path (`?`, `#`), while curl and others send it raw.
const AMBIGUOUS_ON_THE_WIRE = /["#<>?\\^`{}]/

// What cannot stand raw in a request target (Node's parser refuses it): controls, space, DEL and
// every non-ASCII character. Clients send those percent-encoded, as UTF-8 with uppercase hex.
const NOT_RAW_IN_TARGETS = /[^\u0021-\u007e]/gu

/**
 * The one raw request segment a static folder name answers, spelled as clients send it and the
 * host's routing compares it: printable ASCII as it is, and what cannot be sent raw
 * percent-encoded (`café` → `caf%C3%A9`, what browsers and `fetch` send). Nothing else: `%61dmin`
 * is not `admin`. (Characters clients disagree on are refused by `parseSegment`.)
 *
 * @example
 * wireForm('café') // 'caf%C3%A9'
 */
export function wireForm(name: string): string {
  return name.replace(NOT_RAW_IN_TARGETS, (character) => encodeURIComponent(character))
}

function param(kind: 'dynamic' | 'catch-all' | 'optional-catch-all', folder: string, name: string): Segment {
  if (!PARAM_NAME.test(name)) return unsupported(folder, `has an invalid parameter name "${name}"`)
  return { kind, name, folder }
}

function unsupported(folder: string, reason: string): Segment {
  return { kind: 'unsupported', folder, reason }
}
