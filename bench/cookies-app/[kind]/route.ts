// What bench/cookies.ts measures: each cookie API at a size (`?n=`), in one handler.
import { cookies } from 'next/headers'
import { NextResponse, type NextRequest } from 'next/server'

export async function GET(request: NextRequest, { params }: { params: Promise<{ kind: string }> }) {
  const { kind } = await params
  const count = Number(request.nextUrl.searchParams.get('n'))
  let seen = 0
  switch (kind) {
    case 'read': {
      // Every request cookie, listed and looked up by name through cookies().
      const jar = await cookies()
      for (const cookie of jar.getAll()) if (jar.get(cookie.name)?.value === cookie.value) seen++
      break
    }
    case 'request-cookies': {
      for (const cookie of request.cookies.getAll()) if (request.cookies.get(cookie.name)?.value === cookie.value) seen++
      break
    }
    case 'set': {
      // Merged into the response by the core: one Set-Cookie per name.
      const jar = await cookies()
      for (let index = 0; index < count; index++) jar.set(`c${index}`, `v${index}`)
      seen = jar.size
      break
    }
    case 'request-set': {
      for (let index = 0; index < count; index++) request.cookies.set(`c${index}`, `v${index}`)
      seen = request.cookies.size
      break
    }
    case 'response-cookies': {
      const response = NextResponse.json({ seen: count })
      for (let index = 0; index < count; index++) response.cookies.set(`c${index}`, `v${index}`)
      return response
    }
  }
  return NextResponse.json({ seen })
}
