// README's "Migrating an Express route": the app before the move, type-checked as JavaScript
// (checkJs, strict) and served by test/examples.test.ts. The README shows what follows the marker;
// above it is what the README leaves to "the app": its Express app, db and other handlers.
import express from 'express'
import { db } from '../quick-start/lib/db.js'

export const app = express()
/** @param {express.Request<{ id: string }>} req @param {express.Response} res */
function updateUser(req, res) {
  res.json({ id: req.params.id, updated: true })
}

// README.md shows from here.
app.get('/api/users/:id', async (req, res) => {
  const user = await db.users.find(req.params.id)
  if (!user) return res.status(404).end()
  res.json(user)
})
app.put('/api/users/:id', updateUser) // not moved yet
