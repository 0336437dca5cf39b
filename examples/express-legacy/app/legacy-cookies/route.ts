// The same in the Next 13/14 style: cookies() without await, request.cookies on NextRequest.
import { cookies } from 'next/headers'
import { type NextRequest } from 'next/server'

export function GET(request: NextRequest) {
  const theme = cookies().get('theme')?.value ?? 'light'
  return Response.json({ theme, fromRequest: request.cookies.get('theme')?.value ?? null })
}
