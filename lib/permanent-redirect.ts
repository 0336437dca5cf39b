/**
 * The `308` Next.js sends when it cleans a path itself (a trailing slash, repeated slashes, a
 * backslash): `res.redirect(location, 308)` adds a `Refresh` header for a 308, and the body is the
 * location, untyped (`new Response(string)` would type it text/plain).
 */
export function permanentRedirect(location: string): Response {
  return new Response(new TextEncoder().encode(location), { status: 308, headers: { location, refresh: `0;url=${location}` } })
}
