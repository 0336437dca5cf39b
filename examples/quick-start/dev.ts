import express from 'express'
import { routeHandlers } from 'route-handlers/express'

const app = express()
// On under NODE_ENV=development; `reload: true` or `false` decides whatever NODE_ENV says.
app.use('/api', routeHandlers({ dir: './app', reload: true }))
app.listen(3000)
