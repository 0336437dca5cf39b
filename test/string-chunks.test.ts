/**
 * A body stream that enqueues strings rather than bytes. Next.js writes each chunk with
 * `res.write()`, which takes text: the body goes out as UTF-8. Here it did too when the chunks came
 * over several turns, but a body complete at once was a 500 with a misleading cause (review).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { expressTarget, fastifyTarget, type SocketTarget } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const TEXT = 'text 1 — é\ntext 2 — ü\n'
const dir = tempRouteFolder({
  'streamed/route.ts': `
const parts = ['text 1 — é\\n', 'text 2 — ü\\n']
export function GET() {
  let index = 0
  return new Response(new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (index === parts.length) return controller.close()
      controller.enqueue(parts[index++])
    },
  }), { headers: { 'content-type': 'text/plain; charset=utf-8' } })
}
`,
  'at-once/route.ts': `export function GET() { return new Response(new ReadableStream({ start(controller) { controller.enqueue(${JSON.stringify(TEXT)}); controller.close() } }), { headers: { 'content-type': 'text/plain; charset=utf-8' } }) }\n`,
  // Its declared length counts the strings' UTF-8 bytes.
  'declared/route.ts': `
export function GET() {
  let index = 0
  const parts = ['text 1 — é\\n', 'text 2 — ü\\n']
  return new Response(new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (index === parts.length) return controller.close()
      controller.enqueue(parts[index++])
    },
  }), { headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '${Buffer.byteLength(TEXT)}' } })
}
`,
})

for (const [name, start] of [['Express', expressTarget], ['Fastify', fastifyTarget]] as const) {
  describe(`${name}: a body of string chunks goes out as their UTF-8 bytes`, () => {
    let target: SocketTarget
    before(async () => {
      target = await start('/api', dir)
    })
    after(() => target.close())

    for (const path of ['/streamed', '/at-once', '/declared']) {
      test(path, async () => {
        const response = await target.send(path)
        assert.equal(response.status, 200)
        assert.equal(await response.text(), TEXT)
      })
    }
  })
}
