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
  // %5F escapes a leading underscore: `%5Fname` is the public URL segment `_name`.
  const name = /^%5f/i.test(folder) ? `_${folder.slice(3)}` : folder
  return { kind: 'static', name, folder }
}

// What WHATWG URL serialization percent-encodes in a path (Node 26's set; `^` is left alone by
// older lines), plus every non-ASCII character, encoded as UTF-8 with uppercase hex.
const ENCODED_IN_PATHS = /[\u0000-\u0020"<>^`{}\u007f]|[^\u0000-\u007f]/gu

/**
 * The raw request segments a static folder name answers: the name as it is, and the form clients
 * send it in when that differs (`café` → `caf%C3%A9`, what browsers and `fetch` put on the wire).
 * Nothing else: `%61dmin` is not `admin`, because the host's routing, where auth middleware
 * lives, compares paths without decoding them.
 *
 * @example
 * wireForms('café') // ['café', 'caf%C3%A9']
 */
export function wireForms(name: string): string[] {
  const encoded = name.replace(ENCODED_IN_PATHS, (character) => encodeURIComponent(character))
  return encoded === name ? [name] : [name, encoded]
}

function param(kind: 'dynamic' | 'catch-all' | 'optional-catch-all', folder: string, name: string): Segment {
  if (!PARAM_NAME.test(name)) return unsupported(folder, `has an invalid parameter name "${name}"`)
  return { kind, name, folder }
}

function unsupported(folder: string, reason: string): Segment {
  return { kind: 'unsupported', folder, reason }
}
