import { NextResponse, type NextRequest } from 'next/server'

export async function GET(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return NextResponse.json({ slug: (await params).slug, q: request.nextUrl.searchParams.get('q') })
}
