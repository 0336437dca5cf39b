import { after } from 'next/server'
import { cookies } from 'next/headers'
import { audit, saveOrder } from '../../lib/orders.js'

export async function POST(request: Request) {
  const order = await saveOrder(await request.json())
  after(async () => {
    // Runs once the response has been sent; the request's scope is still there, read-only.
    await audit(order.id, (await cookies()).get('session')?.value)
  })
  return Response.json(order, { status: 201 })
}
