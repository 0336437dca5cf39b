/**
 * The Next.js request APIs over HTTP (`params` in every style, `after()`, `connection()`,
 * `draftMode()`, the `x-forwarded-*` request headers), run by runBehaviour against every host.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Target } from './targets.ts'

async function json(response: Response): Promise<Record<string, unknown>> {
  assert.equal(response.status, 200, await response.clone().text())
  return (await response.json()) as Record<string, unknown>
}

export function describeNextApis(target: () => Target): void {
  const send = (path: string, init?: RequestInit) => target().send(path, init)

  describe('params in every style', () => {
    test('sync, awaited, destructured, spread; `then` is neither a key nor enumerable', async () => {
      assert.deepEqual(await json(await send('/next-apis/params/hello/a/b%20c')), {
        sync: 'hello',
        awaited: 'hello',
        destructured: { slug: 'hello', rest: ['a', 'b c'] },
        spread: { slug: 'hello', rest: ['a', 'b c'] },
        keys: ['slug', 'rest'],
        json: '{"slug":"hello","rest":["a","b c"]}',
        thenEnumerable: false,
        hasCatch: false,
      })
    })

    test('zod 3 parses the route context as an object (taxonomy template, Next 14)', async () => {
      assert.deepEqual(await json(await send('/next-apis/params/zod/post-1')), { postId: 'post-1' })
    })

    test('valibot parses the route context, and its checks still apply', async () => {
      assert.deepEqual(await json(await send('/next-apis/params/valibot/ok')), { slug: 'ok' })
      const invalid = await send('/next-apis/params/valibot/x')
      assert.equal(invalid.status, 422)
      assert.equal(((await invalid.json()) as { issues: string[] }).issues.length, 1)
    })
  })

  describe('after() and connection()', () => {
    const events = async (id: string, query = '') => (await json(await send(`/next-apis/after/log?id=${id}${query}`))).events

    test('callbacks run once the response has been sent, in the request scope, read-only', async () => {
      const id = randomUUID()
      const response = await send(`/next-apis/after?id=${id}`, { headers: { cookie: 'session=s1', 'x-trace': 't1' } })
      assert.equal(response.status, 200)
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
      assert.equal((await reader.read()).value, 'started;')
      // Let anything already scheduled run (handle() alone never leaves the microtask queue).
      for (let turn = 0; turn < 3; turn++) await nextTurn()
      // The response is still streaming: the promise ran, the callback has not.
      assert.deepEqual(await events(id), ['handler', 'promise'])
      await events(id, '&release')
      let rest = ''
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += chunk.value
      assert.equal(rest, 'ended')
      assert.deepEqual(await events(id, '&wait'), [
        'handler',
        'promise',
        'callback',
        'cookie:s1',
        'header:t1',
        'set:RH_ERR_AFTER_READONLY',
        'draft:false',
        'enable:RH_ERR_AFTER_READONLY',
        'nested',
      ])
      assert.deepEqual(response.headers.getSetCookie(), [])
    })

    test('failing after() work leaves the response alone', async () => {
      const id = randomUUID()
      const response = await send(`/next-apis/after/fails?id=${id}`)
      assert.equal(await response.text(), 'still fine')
      assert.deepEqual(await events(id, '&wait'), [])
    })

    test('connection() resolves inside a request', async () => {
      assert.deepEqual(await json(await send('/next-apis/connection')), { random: true })
    })
  })

  describe('draftMode()', () => {
    const bypass = (response: Response) => response.headers.getSetCookie().find((cookie) => cookie.startsWith('__prerender_bypass='))

    test('enable() then redirect(): the bypass cookie reaches the redirect (Next 15 docs)', async () => {
      const response = await send('/next-apis/draft?secret=MY_SECRET_TOKEN&slug=/posts/hello')
      assert.equal(response.status, 307)
      assert.equal(response.headers.get('location'), '/posts/hello')
      assert.match(bypass(response) ?? '', /^__prerender_bypass=[0-9a-f]{32}; Path=\/; Secure; HttpOnly; SameSite=none$/)
      assert.equal((await send('/next-apis/draft?secret=wrong&slug=/posts/hello')).status, 401)
    })

    test('isEnabled in both styles: true only with the cookie the server set', async () => {
      const enabled = await send('/next-apis/draft/legacy')
      assert.equal(await enabled.text(), 'Draft mode is enabled')
      const cookie = bypass(enabled)!.split(';')[0]!
      assert.deepEqual(await json(await send('/next-apis/draft/status', { headers: { cookie } })), { awaited: true, sync: true })
      assert.deepEqual(await json(await send('/next-apis/draft/status')), { awaited: false, sync: false })
      const forged = { cookie: '__prerender_bypass=0123456789abcdef0123456789abcdef' }
      assert.deepEqual(await json(await send('/next-apis/draft/status', { headers: forged })), { awaited: false, sync: false })
    })

    // Next.js 15 and 16 (Next 14 kept the request's value): a CMS preview route enables draft
    // mode, then fetches drafts because isEnabled says so.
    test('enabling shows at once in isEnabled, and on the response', async () => {
      const response = await send('/next-apis/draft/status?enable')
      assert.deepEqual(await json(response), { awaited: false, sync: true })
      assert.ok(bypass(response))
    })

    test('disable() expires the cookie, as Next.js 15 and 16 do', async () => {
      const response = await send('/next-apis/draft/disable')
      assert.equal(await response.text(), 'Draft mode is disabled')
      assert.deepEqual(response.headers.getSetCookie(), ['__prerender_bypass=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=none'])
    })
  })

  describe('x-forwarded-* request headers', () => {
    test('set as Next.js sets them when the client sent none (Node hosts); handle() adds none', async () => {
      const current = target()
      const body = await json(await send('/next-apis/forwarded'))
      if (!('port' in current)) {
        // A bare handle() call has no connection to read them from.
        assert.deepEqual([body.host, body.port, body.proto, body.for], [null, null, null, null])
        return
      }
      const port = String((current as Target & { port: number }).port)
      assert.deepEqual(body, {
        host: `127.0.0.1:${port}`,
        port,
        proto: 'http',
        for: '127.0.0.1',
        authUrl: `http://127.0.0.1:${port}/api/auth`,
        url: `http://127.0.0.1:${port}${current.prefix}/next-apis/forwarded`,
      })
    })

    test('headers the client sent are kept as sent', async () => {
      const sent = { 'x-forwarded-host': 'example.com', 'x-forwarded-port': '8443', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }
      const body = await json(await send('/next-apis/forwarded', { headers: sent }))
      assert.deepEqual([body.host, body.port, body.proto, body.for, body.authUrl], [
        'example.com',
        '8443',
        'https',
        '203.0.113.7, 10.0.0.1',
        'https://example.com/api/auth',
      ])
    })
  })
}
