import { currentUser } from '../../lib/current-user.js'

export function GET() {
  const user = currentUser.getStore()
  return user ? Response.json(user) : new Response(null, { status: 401 })
}
