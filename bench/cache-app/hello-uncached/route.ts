// The same handler without `revalidate`: what a cache HIT is measured against.
import { NextResponse } from 'next/server'

export function GET() {
  return NextResponse.json({ message: 'Hello World' })
}
