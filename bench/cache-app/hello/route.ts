// The cached GET of `npm run bench`: the same JSON as GET /hello, kept for a minute (issue 12).
import { NextResponse } from 'next/server'

export const revalidate = 60

export function GET() {
  return NextResponse.json({ message: 'Hello World' })
}
