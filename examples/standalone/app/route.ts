// The root page: what to try, as links (served at / because this file is app/route.ts).
import type { NextRequest } from 'next/server'

const gets = ['/hello', '/items/widget?currency=USD', '/items/nothing', '/visits', '/old-hello']

export function GET(request: NextRequest) {
  const { origin } = request.nextUrl
  const links = gets.map((path) => `<li><a href="${origin}${path}">${origin}${path}</a></li>`)
  const post = `curl -i -X POST ${origin}/echo -H 'content-type: application/json' -d '{"hello":"world"}'`
  const html = [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<title>route-handlers demo</title>',
    '<h1>route-handlers demo</h1>',
    '<p>A route folder served by Node\'s http module alone. Try:</p>',
    `<ul>\n${links.join('\n')}\n<li><code>${post.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</code></li>\n</ul>`,
    '',
  ].join('\n')
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}
