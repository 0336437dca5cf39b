/**
 * The warning for a request whose `X-Forwarded-Proto` says https while the host framework sees
 * http: it does not trust the proxy, or it trusts it and reads another value of the header's list
 * (Express the first, Fastify the last; trial: next-auth behind a proxy that terminates TLS). Its
 * `request.url` is then `http://` and its `x-forwarded-proto` header https, as Next.js passes the
 * header on, and a library that reads both disagrees with itself: Auth.js sets its session cookie
 * as `authjs.session-token` (from the URL) and `auth()` looks for `__Secure-authjs.session-token`
 * (from the header), so sign-in answers as usual and `auth()` returns null. `next start` takes the
 * scheme from the header itself. A client can send the header too: the warning says what to do
 * when a proxy is there.
 */
export function untrustedHttpsWarning(trustSetting: string): string {
  return (
    "route-handlers: a request came with X-Forwarded-Proto naming https, but the app sees http (it does not trust the proxy, or the proxy chain's values disagree), so the handler's request.url is http:// while its x-forwarded-proto header says https. " +
    'Libraries that read both (Auth.js: its session cookie is set under one name and looked for under another, and auth() returns null) disagree with themselves. ' +
    `If a proxy that terminates TLS is in front of this app, trust it (${trustSetting}) and have it send one value. (Warned once.)`
  )
}

/** True when the request claims https through a proxy and the host framework says http. */
export function claimsUntrustedHttps(forwardedProto: string | string[] | undefined, protocol: string): boolean {
  return protocol === 'http' && forwardedProto !== undefined && String(forwardedProto).toLowerCase().includes('https')
}
