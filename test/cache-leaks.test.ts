/**
 * Regressions from the review of the caching work (issue 12): a cached GET must never hand one
 * visitor's cookies (a session, the draft mode secret) to the next. Each runs on Express and Fastify.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { expressTarget, fastifyTarget, quietLogger, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const LEAKS_DIR = tempRouteFolder({
  // cookies().set() in a force-static GET: Next.js's cookies are sealed there.
  'session/route.ts': `import { cookies } from 'next/headers'
export const dynamic = 'force-static'
let visits = 0
export async function GET() {
  visits++
  try {
    ;(await cookies()).set('session', 'visitor-' + visits)
  } catch (error) {
    return Response.json({ code: (error as { code?: string }).code }, { status: 500 })
  }
  return Response.json({ visits })
}
`,
  // The classic draft route (README's example) with a revalidate: enable() must make it dynamic.
  'draft/route.ts': `import { draftMode } from 'next/headers'
export const revalidate = 60
export async function GET() {
  ;(await draftMode()).enable()
  return new Response('Draft mode is enabled')
}
`,
})

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: a cached GET keeps no visitor's cookies`, () => {
    let target: Target
    before(async () => {
      target = await start('', LEAKS_DIR, { logger: quietLogger })
    })
    after(() => target.close())

    test('cookies().set() in a force-static GET throws RH_ERR_COOKIES_STATIC; no Set-Cookie is stored for the next visitor', async () => {
      const first = await target.send('/session')
      assert.deepEqual(first.headers.getSetCookie(), [])
      assert.deepEqual(await first.json(), { code: 'RH_ERR_COOKIES_STATIC' })
      const second = await target.send('/session')
      assert.deepEqual(second.headers.getSetCookie(), [], "the first visitor's session is not handed to the second")
    })

    test('draftMode().enable() in a GET with revalidate makes the route dynamic: the bypass cookie is never cached', async () => {
      const first = await target.send('/draft')
      assert.equal(first.headers.getSetCookie().length, 1)
      assert.equal(first.headers.get('x-nextjs-cache'), null)
      const second = await target.send('/draft')
      assert.equal(second.headers.get('x-nextjs-cache'), null, 'not a HIT carrying the preview mode id to everyone')
    })
  })
}
