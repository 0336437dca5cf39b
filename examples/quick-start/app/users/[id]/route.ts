import { notFound } from 'next/navigation'
import { db } from '../../../lib/db.js'

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await db.users.find((await params).id)
  if (!user) notFound()
  return Response.json(user)
}
