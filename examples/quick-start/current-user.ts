import express from 'express'
import { currentUser } from './lib/current-user.js'

// What passport (or the app's own auth) puts on the request.
declare global {
  namespace Express {
    interface Request {
      user?: { id: string; role: string }
    }
  }
}

export const app = express()
// README.md shows from here.
app.use((req, res, next) => (req.user ? currentUser.run(req.user, next) : next()))
