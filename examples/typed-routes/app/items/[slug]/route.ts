// app/items/[slug]/route.ts
import type { NextRequest } from 'next/server'

export async function GET(request: NextRequest, ctx: RouteContext<'/items/[slug]'>) {
  const { slug } = await ctx.params // string
  return Response.json({ slug })
}
