import express, { type ErrorRequestHandler } from 'express'
import { routeHandlers } from 'route-handlers/express'

const app = express()
app.use('/api', routeHandlers({ dir: './app' }))         // app/items/[slug]/route.ts → /api/items/:slug
app.get('/api/legacy/users', (req, res) => {              // old routes keep working beside it
  res.json([{ id: '1', name: 'Ada' }])
})
const onError: ErrorRequestHandler = (err, req, res, next) => {
  if ((err.status ?? 500) >= 500) console.error(err)        // a handler's exception, with its stack
  res.status(err.status ?? 500).send('Something broke')
}
app.use(onError)
app.listen(3000)
