// A legacy Express 5 app: its own routes, global body parsing and cookies, its own error page —
// and a folder of Next.js Route Handlers mounted at /api beside them.
import cookieParser from 'cookie-parser'
import express from 'express'
import { fileURLToPath } from 'node:url'
import { routeHandlers } from 'route-handlers/express'
import { exitOnListenError } from '../listen-failed.cjs'
import { printTryUrls, tryUrlsPage } from '../try-urls.mjs'

const users = [
  { id: '1', name: 'Ada' },
  { id: '2', name: 'Grace' },
]

const name = 'Express legacy app'
const app = express()
app.use(express.json())
app.use(cookieParser())

// The first thing a newcomer opens: what to try, as links.
app.get('/', (req, res) => res.type('html').send(tryUrlsPage(name, `${req.protocol}://${req.host}`)))

// Old endpoints keep working while new ones move into app/**/route.ts.
app.get('/api/legacy/users', (req, res) => res.json({ users, cookies: req.cookies }))
app.get('/api/legacy/users/:id', (req, res) => {
  const user = users.find((candidate) => candidate.id === req.params.id)
  if (!user) return res.status(404).json({ error: 'no such user' })
  res.json(user)
})
app.post('/api/legacy/users', (req, res) => res.status(201).json({ created: req.body }))

// Mounted before the app's 404 and error handlers; methods a route file lacks fall through.
const dir = fileURLToPath(new URL('./app', import.meta.url))
const routes = await routeHandlers({ dir, onMissingMethod: 'fall-through' }).ready()
app.use('/api', routes)

app.use((req, res) => res.status(404).json({ error: `nothing at ${req.method} ${req.originalUrl}` }))
app.use((error, req, res, _next) => {
  const status = error.status ?? 500
  if (status >= 500) console.error(error)
  res.status(status).json({ error: status < 500 ? error.message : 'Internal Server Error' })
})

const port = Number(process.env.PORT ?? 3000)
// Express 5 hands a listen error (EADDRINUSE) to this callback.
const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) exitOnListenError(error, port, 'npm start')
  printTryUrls(name, `http://127.0.0.1:${server.address().port}`)
})
// Shutting down: no new requests, then the route handlers' pending after() work.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => routes.close().then(() => process.exit(0))))
