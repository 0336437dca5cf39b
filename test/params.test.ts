/**
 * The `params` handlers receive: a plain object of the params with a `then` on its prototype, so
 * every Next.js style works, validators see an object, and odd param names break nothing. The
 * type-level cases at the bottom are checked by `npm run typecheck`.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import * as v from 'valibot'
import { z } from 'zod'
import * as z3 from 'zod/v3'
import { routeParams } from '../lib/next/route-params.ts'
import type { Params, RouteHandler, RouteModule } from '../lib/types.ts'

function paramsOf(entries: Record<string, string | string[]>): ReturnType<typeof routeParams> {
  return routeParams(Object.assign(Object.create(null) as Params, entries))
}

describe('params', () => {
  test('read directly, awaited, destructured and through .then()', async () => {
    const params = paramsOf({ slug: 'a', rest: ['b', 'c'] })
    assert.equal(params.slug, 'a')
    assert.equal((await params).slug, 'a')
    const { rest } = await params
    assert.deepEqual(rest, ['b', 'c'])
    assert.equal(await params.then((value) => value.slug), 'a')
    // What `await` resolves to is a plain object: awaiting it again is the same object.
    const resolved = await params
    assert.equal(await resolved, resolved)
    assert.equal('then' in resolved, false)
  })

  test('every await gives the same object, as Next\'s params promise does, and `constructor` stays Object', async () => {
    const params = paramsOf({ slug: 'a' })
    const first = await params
    assert.equal(await params, first)
    assert.equal(params.constructor, Object)
    assert.deepEqual(Object.getOwnPropertySymbols(params), [])
    // `then` called on another object (copied off the prototype) still resolves to its params.
    const borrowed = await paramsOf({}).then.call({ slug: 'b' }, (value: Params) => value)
    assert.deepEqual({ ...(borrowed as Params) }, { slug: 'b' })
    assert.deepEqual({ ...((await paramsOf({}).then.call(undefined, (value: Params) => value)) as Params) }, {})
  })

  test('await params resumes as soon as awaiting a promise that resolves to a promise would', async () => {
    const params = paramsOf({ slug: 'a' })
    const order: string[] = []
    const awaitingParams = (async () => {
      order.push((await params).slug as string)
    })()
    const twoTurns = (async () => {
      await Promise.resolve()
      await Promise.resolve()
      order.push('two turns')
    })()
    await Promise.all([awaitingParams, twoTurns])
    assert.deepEqual(order, ['a', 'two turns'])
  })

  test('a rejecting or throwing callback given to then() rejects its promise', async () => {
    const params = paramsOf({ slug: 'a' })
    await assert.rejects(params.then(() => {
      throw new Error('from the callback')
    }), /from the callback/)
    assert.equal(await params.then(async (value) => `${value.slug}!`), 'a!')
  })

  test('shows only the params: keys, spread, for…in, JSON, inspect', () => {
    const params = paramsOf({ slug: 'a', rest: ['b'] })
    assert.deepEqual(Object.keys(params), ['slug', 'rest'])
    assert.deepEqual({ ...params }, { slug: 'a', rest: ['b'] })
    const seen: string[] = []
    for (const key in params) seen.push(key)
    assert.deepEqual(seen, ['slug', 'rest'])
    assert.equal(JSON.stringify(params), '{"slug":"a","rest":["b"]}')
    assert.equal(inspect(params), "{ slug: 'a', rest: [ 'b' ] }")
  })

  test('is not a promise to validators: no catch, no finally, not instanceof Promise', () => {
    const params = paramsOf({ slug: 'a' })
    assert.equal('catch' in params, false)
    assert.equal('finally' in params, false)
    assert.equal(params instanceof Promise, false)
  })

  test('zod 3 and 4 and valibot parse a Next 14 route context', () => {
    const context = { params: paramsOf({ postId: '7' }) }
    assert.deepEqual(z3.z.object({ params: z3.z.object({ postId: z3.z.string() }) }).parse(context), { params: { postId: '7' } })
    assert.deepEqual(z.object({ params: z.object({ postId: z.string() }) }).parse(context), { params: { postId: '7' } })
    assert.deepEqual(v.parse(v.object({ params: v.object({ postId: v.string() }) }), context), { params: { postId: '7' } })
    // The regression pinned: a real promise is "Expected object, received promise" to zod 3.
    const promise = Object.assign(Promise.resolve({ postId: '7' }), { postId: '7' })
    assert.throws(() => z3.z.object({ params: z3.z.object({ postId: z3.z.string() }) }).parse({ params: promise }), /received promise/)
  })

  test('a param named `then` ([then]) is the param in every style, and await still ends', async () => {
    const params = paramsOf({ then: 'x', id: '1' })
    assert.equal(params.then, 'x')
    assert.equal((await params).then, 'x')
    assert.deepEqual({ ...(await params) }, { then: 'x', id: '1' })
    assert.deepEqual(Object.keys(params), ['then', 'id'])
  })

  test('`__proto__` and `constructor` params are plain keys', async () => {
    const params = paramsOf({ ['__proto__']: 'p', constructor: 'c' })
    assert.deepEqual(Object.keys(params), ['__proto__', 'constructor'])
    assert.equal(typeof params.then, 'function')
    assert.equal(JSON.stringify(await params), '{"__proto__":"p","constructor":"c"}')
  })

  test('no params: an empty object that awaits to an empty object', async () => {
    const params = paramsOf({})
    assert.deepEqual(Object.keys(params), [])
    assert.deepEqual({ ...(await params) }, {})
  })
})

// Type level: route files written for Next 13/14 and 15/16 type-check against RouteHandler and
// RouteModule, and the awaited params keep their type.
async function next15(request: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> {
  return Response.json({ slug: (await params).slug })
}
function next14(request: Request, { params }: { params: { slug: string } }): Response {
  return Response.json({ slug: params.slug })
}
export const typed: RouteHandler<{ slug: string }>[] = [next15, next14]
export const module = { GET: next15, POST: next14, PUT: typed[0]! } satisfies RouteModule
export const both: RouteHandler<{ slug: string }> = async (request, { params }) => {
  const direct: string = params.slug
  const awaited: string = (await params).slug
  return Response.json({ direct, awaited })
}
