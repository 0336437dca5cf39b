// A CommonJS Express app (no "type": "module", require() everywhere) mounting the route folder.
const express = require('express')
const path = require('node:path')
const { routeHandlers } = require('route-handlers/express')
const { exitOnListenError } = require('../listen-failed.cjs')
const { tryPage } = require('../try-page.cjs')

const name = 'CommonJS Express app'
const tryUrls = (base) => [`curl -i ${base}/api/hello`, `curl -i ${base}/api/legacy/ping`]

const app = express()
app.get('/', (req, res) => res.type('html').send(tryPage(name, tryUrls(`${req.protocol}://${req.host}`))))
app.get('/api/legacy/ping', (req, res) => res.json({ pong: true }))
const routes = routeHandlers({ dir: path.join(__dirname, '../express-legacy/app') })
app.use('/api', routes)

const port = Number(process.env.PORT ?? 3002)
const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) exitOnListenError(error, port, 'npm run start:commonjs')
  const base = `http://127.0.0.1:${server.address().port}`
  const lines = tryUrls(base).map((line) => `  ${line}`)
  console.log(`${name} listening on ${base} (the PORT variable picks another port)\n\nOpen ${base}/ for this list as links, or try:\n${lines.join('\n')}\n\nCtrl+C to stop.`)
})
// Shutting down: no new requests, then the route handlers' pending after() work.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => routes.close().then(() => process.exit(0))))
