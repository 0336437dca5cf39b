// What the example servers print on start: URLs to try against the route folder and the legacy routes.
export function printTryUrls(name, base, { auth = false } = {}) {
  const api = `${base}/api`
  const authHeader = auth ? " -H 'authorization: Bearer demo-token'" : ''
  const lines = [
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
  console.log(`${name} listening on ${base}\n\nTry:\n${lines.map((line) => `  ${line}`).join('\n')}\n\nCtrl+C to stop.`)
}
