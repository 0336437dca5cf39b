/**
 * draftMode() beyond what every host shows (next-apis-behaviour.ts): the previewModeId option,
 * Next's development cookie attributes and its `development-id`.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createRouteHandlers } from '../lib/index.ts'
import { APP_DIR } from './helpers/targets.ts'

async function get(routes: ReturnType<typeof createRouteHandlers>, path: string, cookie?: string): Promise<Response> {
  return (await routes.handle(new Request(`http://localhost${path}`, cookie ? { headers: { cookie } } : {})))!
}

function withNodeEnv<T>(value: string | undefined, run: () => Promise<T>): Promise<T> {
  const previous = process.env.NODE_ENV
  if (value === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = value
  return run().finally(() => {
    if (previous === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previous
  })
}

describe('draftMode()', () => {
  test('previewModeId is the cookie value, and the only one accepted', async () => {
    const routes = createRouteHandlers({ dir: APP_DIR, previewModeId: 'shared-with-next' })
    const enabled = await get(routes, '/next-apis/draft/legacy')
    assert.deepEqual(enabled.headers.getSetCookie(), ['__prerender_bypass=shared-with-next; Path=/; Secure; HttpOnly; SameSite=none'])
    assert.deepEqual(await (await get(routes, '/next-apis/draft/status', '__prerender_bypass=shared-with-next')).json(), { awaited: true, sync: true })
    assert.deepEqual(await (await get(routes, '/next-apis/draft/status', '__prerender_bypass=other')).json(), { awaited: false, sync: false })
  })

  test('in development the cookie is SameSite=Lax without Secure, as next dev sets it', async () => {
    const routes = createRouteHandlers({ dir: APP_DIR, previewModeId: 'dev' })
    await withNodeEnv('development', async () => {
      assert.deepEqual((await get(routes, '/next-apis/draft/legacy')).headers.getSetCookie(), ['__prerender_bypass=dev; Path=/; HttpOnly; SameSite=lax'])
      assert.deepEqual((await get(routes, '/next-apis/draft/disable')).headers.getSetCookie(), [
        '__prerender_bypass=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=lax',
      ])
    })
  })

  test("'development-id' accepts any bypass cookie outside production, as Next.js does", async () => {
    const routes = createRouteHandlers({ dir: APP_DIR, previewModeId: 'development-id' })
    const status = async (cookie: string) => (await (await get(routes, '/next-apis/draft/status', cookie)).json()) as { sync: boolean }
    await withNodeEnv('development', async () => assert.equal((await status('__prerender_bypass=from-next-dev')).sync, true))
    await withNodeEnv('production', async () => {
      assert.equal((await status('__prerender_bypass=from-next-dev')).sync, false)
      assert.equal((await status('__prerender_bypass=development-id')).sync, true)
    })
    await withNodeEnv('development', async () => assert.equal((await status('__prerender_bypass=')).sync, false))
  })

  test('without the option every route folder of the process shares one random id', async () => {
    const first = (await get(createRouteHandlers({ dir: APP_DIR }), '/next-apis/draft/legacy')).headers.getSetCookie()
    const second = (await get(createRouteHandlers({ dir: APP_DIR }), '/next-apis/draft/legacy')).headers.getSetCookie()
    assert.match(first[0]!, /^__prerender_bypass=[0-9a-f]{32};/)
    assert.deepEqual(first, second)
  })

  test('an empty or non-string previewModeId → RH_ERR_OPTIONS_INVALID at start-up', () => {
    for (const previewModeId of ['', 42]) {
      assert.throws(() => createRouteHandlers({ dir: APP_DIR, previewModeId: previewModeId as string }), { code: 'RH_ERR_OPTIONS_INVALID' })
    }
  })
})
