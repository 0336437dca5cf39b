/**
 * The Next.js request APIs over HTTP (`params` in every style, `after()`, `connection()`,
 * `draftMode()`, the `x-forwarded-*` request headers), run by runBehaviour against every host.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
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
}
