// What the legacy example servers print on start and serve as their root page: URLs to try against
// the route folder and the legacy routes.
import { tryPage } from './try-page.cjs'

/** The curl lines to try against `base`; `auth` adds the token the Fastify app wants for writes. */
export function tryUrls(base, { auth = false } = {}) {
  const api = `${base}/api`
  const authHeader = auth ? " -H 'authorization: Bearer demo-token'" : ''
  return [
    `curl -i ${api}/hello`,
    `curl -i '${api}/search?query=wid'`,
    `curl -i ${api}/items/widget`,
    `curl -i ${api}/items/missing`,
    `curl -i -b 'theme=dark' ${api}/cookies`,
    `curl -i -b 'theme=dark' ${api}/legacy-cookies`,
    `curl -i ${api}/headers`,
    `curl -i ${api}/redirect`,
    `curl -i ${api}/rss.xml`,
    `curl -N ${api}/stream`,
    `curl -i -X OPTIONS ${api}/cors`,
    `curl -i ${api}/legacy/users`,
    `curl -i -X POST ${api}/echo -H 'content-type: application/json' -d '{"hello":"world"}'`,
    `curl -i -X POST ${api}/items${authHeader} -H 'content-type: application/json' -d '{"slug":"gizmo","name":"Gizmo","price":5}'`,
    `curl -i -X POST ${api}/contact -d 'name=Ada&email=ada@example.com'`,
    `curl -i -X POST ${api}/contact -F name=Ada -F attachment=@package.json`,
  ]
}

/** The root page: the same list, as links. */
export function tryUrlsPage(name, base, options) {
  return tryPage(name, tryUrls(base, options))
}

export function printTryUrls(name, base, options) {
  const lines = tryUrls(base, options)
  console.log(
    `${name} listening on ${base} (the PORT variable picks another port)\n\nOpen ${base}/ for this list as links, or try:\n` +
      `${lines.map((line) => `  ${line}`).join('\n')}\n\nCtrl+C to stop.`,
  )
}
