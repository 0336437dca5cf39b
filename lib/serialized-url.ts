/**
 * A request URL as the URL Standard serializes it, which is what `request.url` is for any
 * `Request` (undici's, Next.js's): `new URL(request.url).href === request.url`. Hosts build a
 * request's URL from the target the client sent, byte for byte, because routing must see the path
 * the host routed; the handler is shown the serialized form, so a string comparison with an origin
 * or a URL it builds itself (`request.url.startsWith(APP_URL)`) holds as in Next.js.
 */

// Every character the URL parser leaves as it is anywhere in an http(s) URL (path, query and
// fragment): printable ASCII but `"`, `'`, `<`, `>`, `\`, `` ` ``, `{` and `}`. (Node's parser
// refuses a target with any other byte; an app that rewrote the URL may have put one there.)
const SERIALIZED = /^[!#-&(-;=?-[\]-_a-z|~]*$/

// A `.` or `..` path segment, also percent-encoded, which the parser resolves.
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=[/?#]|$)/i

/** `url` as `new URL(url).href` gives it; left as it is if it does not parse. */
export function serializedUrl(url: string): string {
  if (SERIALIZED.test(url) && !DOT_SEGMENT.test(url)) return url
  try {
    return new URL(url).href
  } catch {
    return url
  }
}
