/**
 * The path of a params entry `generateStaticParams()` lists, as a request would spell it: what a
 * route with `dynamicParams = false` generates first to find out whether it is dynamic.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isListed, listedPath } from '../lib/cache/static-params.ts'
import type { LoadedRoute } from '../lib/loaded-route.ts'
import type { ShapePiece } from '../lib/route-tree.ts'

const routeOf = (...shape: ShapePiece[]) => ({ entry: { shape } }) as unknown as LoadedRoute
const blog = routeOf({ kind: 'static', wire: 'blog' }, { kind: 'dynamic', name: 'slug' })
const docs = routeOf({ kind: 'static', wire: 'docs' }, { kind: 'catch-all', name: 'path' })
const shop = routeOf({ kind: 'static', wire: 'shop' }, { kind: 'optional-catch-all', name: 'rest' })

test('each value is one segment, spelled as URL clients send it; numbers are their text', () => {
  assert.equal(listedPath(blog, { slug: 'a b/c' }), '/blog/a%20b%2Fc')
  assert.equal(listedPath(blog, { slug: 'café' }), '/blog/caf%C3%A9')
  assert.equal(listedPath(blog, { slug: 7 }), '/blog/7')
  // Raw where clients send it raw (a review: encodeURIComponent's `a%3Ab` was another key than the clients' `a:b`).
  assert.equal(listedPath(blog, { slug: "a:b@c,d;e=f+g$h&i!'()*" }), "/blog/a:b@c,d;e=f+g$h&i!'()*")
  assert.equal(listedPath(blog, { slug: '100%?#\\{x}' }), '/blog/100%25%3F%23%5C%7Bx%7D')
  assert.equal(listedPath(blog, { slug: '..' }), '/blog/..')
  // What the URL parser would drop or trim (review: `'hello '` became `/blog/hello`, another param).
  assert.equal(listedPath(blog, { slug: 'hello ' }), '/blog/hello%20')
  assert.equal(listedPath(blog, { slug: 'a\tb\nc\u007f' }), '/blog/a%09b%0Ac%7F')
  assert.equal(listedPath(blog, { slug: 'x\u001f' }), '/blog/x%1F')
})

test('a catch-all takes its array as segments; an optional one may be empty or absent', () => {
  assert.equal(listedPath(docs, { path: ['a', 'b c'] }), '/docs/a/b%20c')
  assert.equal(listedPath(shop, { rest: [] }), '/shop')
  assert.equal(listedPath(shop, {}), '/shop')
  assert.equal(listedPath(shop, { rest: ['x'] }), '/shop/x')
})

test('an entry without a value the path needs names no path', () => {
  assert.equal(listedPath(blog, {}), undefined)
  assert.equal(listedPath(blog, { slug: '' }), undefined)
  assert.equal(listedPath(docs, { path: [] }), undefined)
  assert.equal(listedPath(docs, { path: 'a' }), undefined)
  assert.equal(listedPath(shop, { rest: 'x' }), undefined)
})

test("isListed compares each of the route's params; an optional catch-all's absent value is only an absent or empty listed one (review)", async () => {
  const docsOptional = {
    entry: { shape: [{ kind: 'static', wire: 'docs' }, { kind: 'optional-catch-all', name: 'slug' }] },
    config: { generateStaticParams: () => [{ slug: ['a'] }] },
  } as unknown as LoadedRoute
  assert.equal(await isListed(docsOptional, {}), false)
  assert.equal(await isListed(docsOptional, { slug: ['a'] }), true)
  const withRoot = { ...docsOptional, config: { generateStaticParams: () => [{ slug: [] }] } } as unknown as LoadedRoute
  assert.equal(await isListed(withRoot, {}), true)
})
