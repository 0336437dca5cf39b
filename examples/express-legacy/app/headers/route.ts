// Next.js docs: "Headers", both styles.
import { headers } from 'next/headers'

export async function GET(request: Request) {
  const awaited = (await headers()).get('user-agent')
  const legacy = headers().get('user-agent')
  return new Response(`Hello, ${awaited ?? legacy ?? 'unknown client'}`, {
    headers: { 'x-request-referer': request.headers.get('referer') ?? 'none' },
  })
}
