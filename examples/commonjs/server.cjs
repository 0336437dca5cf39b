// A CommonJS Express app (no "type": "module", require() everywhere) mounting the route folder.
const express = require('express')
const path = require('node:path')
const { routeHandlers } = require('route-handlers/express')

const app = express()
app.get('/api/legacy/ping', (req, res) => res.json({ pong: true }))
app.use('/api', routeHandlers({ dir: path.join(__dirname, '../express-legacy/app') }))

const server = app.listen(Number(process.env.PORT ?? 3002), '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`
  console.log(`CommonJS Express app listening on ${base}\n\nTry:\n  curl -i ${base}/api/hello\n  curl -i ${base}/api/legacy/ping\n\nCtrl+C to stop.`)
})
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)))
