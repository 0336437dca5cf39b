// Next.js docs: "URL Query Parameters".
import { type NextRequest } from 'next/server'
import { listItems } from '../_lib/items'

export function GET(request: NextRequest) {
  const query = request.nextUrl.searchParams.get('query') ?? ''
  return Response.json({ query, results: listItems().filter((item) => item.name.toLowerCase().includes(query.toLowerCase())) })
}
