/**
 * Every option given as `undefined` means its default, as an omitted one does: the public option
 * types allow it (`exactOptionalPropertyTypes` apps write `reload: dev ? true : undefined`), so the
 * hosts and the core must read it so. A multipart limit set to `undefined` once replaced its
 * default through a spread.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { EVERY_HOST, type ExtraOptions, type Target } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const dir = tempRouteFolder({
  'echo/route.ts': 'export async function POST(request: Request) { const form = await request.formData(); return Response.json({ fields: [...form.keys()].length }) }\n',
  'hello/route.ts': "export const GET = () => new Response('hello')\n",
  'items/[id]/route.ts': 'export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) { return Response.json(await params) }\n',
})

// Each option the core takes, as `undefined` (logger aside: the targets give a quiet one).
const undefinedOptions: ExtraOptions = {
  logRoutes: undefined,
  tsconfig: undefined,
  transformCacheDir: undefined,
  resolveAlias: undefined,
  instrumentation: undefined,
  onMissingMethod: undefined,
  bodyLimit: undefined,
  multipart: { parts: undefined, fields: undefined, files: undefined, fieldSize: undefined, fileSize: undefined, spool: undefined },
  maxParamLength: undefined,
  bodyTimeout: undefined,
  maxDuration: undefined,
  previewModeId: undefined,
  reload: undefined,
  cache: { store: undefined, maxBytes: undefined, timeout: undefined, cacheLife: undefined },
}

for (const [name, start] of EVERY_HOST) {
  describe(`options given as undefined mean their defaults (${name})`, () => {
    let target: Target
    before(async () => {
      // The targets' own multipart limits are small: these replace them, all undefined.
      target = await start('/api', dir, undefinedOptions)
    })
    after(() => target.close())

    test('routes serve; a param is 414 past the default 100 characters; a form past the default 1,000 fields is 413', async () => {
      assert.equal(await (await target.send('/hello')).text(), 'hello')
      assert.deepEqual(await (await target.send(`/items/${'a'.repeat(100)}`)).json(), { id: 'a'.repeat(100) })
      assert.equal((await target.send(`/items/${'a'.repeat(101)}`)).status, 414)
      const form = (fields: number) => {
        const body = new FormData()
        for (let index = 0; index < fields; index++) body.append(`f${index}`, 'x')
        return { method: 'POST', body }
      }
      assert.deepEqual(await (await target.send('/echo', form(1000))).json(), { fields: 1000 })
      assert.equal((await target.send('/echo', form(1001))).status, 413)
    })
  })
}
