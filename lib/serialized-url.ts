/**
 * A request URL as the URL Standard serializes it, which is what `request.url` is for any
 * `Request` (undici's, Next.js's): `new URL(request.url).href === request.url`. Hosts build a
 * request's URL from the target the client sent, byte for byte, because routing must see the path
 * the host routed; the handler is shown the serialized form, so a string comparison with an origin
 * or a URL it builds itself (`request.url.startsWith(APP_URL)`) holds as in Next.js.
 */

// Every character the URL parser leaves as it is anywhere in an http(s) URL (path, query and
// fragment): printable ASCII but `"`, `'`, `<`, `>`, `\`, `` ` ``, `{` and `}`.
const SERIALIZED = /^[!#-&(-;=?-[\]-_a-z|~]*$/i

// A `.` or `..` path segment, also percent-encoded, which the parser resolves.
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=[/?#]|$)/i

// A character outside ASCII: from the wire, one byte (Node reads a request target as latin1).
const NON_ASCII = /[^\x00-\x7f]/g

/** `url` as `new URL(url).href` gives it, each non-ASCII byte of the target percent-encoded as that byte. */
export function serializedUrl(url: string): string {
  if (SERIALIZED.test(url) && !DOT_SEGMENT.test(url)) return url
  try {
    return new URL(url.replace(NON_ASCII, percentEncoded)).href
  } catch {
    return url
  }
}

function percentEncoded(character: string): string {
  const code = character.charCodeAt(0)
  // A code above 0xff did not come from the wire (an app rewrote the URL): its UTF-8 bytes.
  return code > 0xff ? encodeURIComponent(character) : `%${code.toString(16).toUpperCase().padStart(2, '0')}`
}
