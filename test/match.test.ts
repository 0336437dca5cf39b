import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { matchRoute, matchRouteFile } from '../lib/match.ts'
import { hasRepeatedSlashes } from '../lib/repeated-slashes.ts'
import { randomPath, seededRandom } from './helpers/fuzz.ts'
import { treeOf } from './helpers/route-tree.ts'

// Match order, pinned (README "Match order"): at each level the folder's own route, static
// children, [x], [...x], [[...x]]; the first level where candidates differ decides.
describe('match order', () => {
  const tree = treeOf([
    'blog/new/route.ts',
    'blog/[slug]/route.ts',
    'blog/[slug]/edit/route.ts',
    'blog/[...rest]/route.ts',
    '[[...all]]/route.ts',
    'shop/route.ts',
    'shop/[id]/route.ts',
    'shop/[id]/[...path]/route.ts',
    'docs/[lang]/intro/route.ts',
    'docs/[...path]/route.ts',
    '(a)/grouped/route.ts',
  ])
  const cases: Array<[string, string | null, Record<string, string | string[]>?]> = [
    ['/blog/new', '/blog/new', {}],
    ['/blog/x', '/blog/[slug]', { slug: 'x' }],
    ['/blog/x/', '/blog/[slug]', { slug: 'x' }],
    ['/blog/x/edit', '/blog/[slug]/edit', { slug: 'x' }],
    ['/blog/x/y', '/blog/[...rest]', { rest: ['x', 'y'] }],
    ['/blog', '/[[...all]]', { all: ['blog'] }],
    ['/', '/[[...all]]', {}],
    ['/shop', '/shop', {}],
    ['/shop/7', '/shop/[id]', { id: '7' }],
    ['/shop/7/a/b', '/shop/[id]/[...path]', { id: '7', path: ['a', 'b'] }],
    // `[lang]/intro` fails at its last level, so matching backs up to the catch-all.
    ['/docs/en/intro', '/docs/[lang]/intro', { lang: 'en' }],
    ['/docs/en/other', '/docs/[...path]', { path: ['en', 'other'] }],
    ['/grouped', '/grouped', {}],
    ['/a/grouped', '/[[...all]]', { all: ['a', 'grouped'] }],
    // Matched as its clean form, `pathname` kept as sent: respond() redirects it (308, as Next.js).
    ['/blog//x', '/blog/[slug]', { slug: 'x' }],
  ]
  for (const [pathname, pattern, params] of cases) {
    test(`${pathname} → ${pattern}`, () => {
      const match = matchRoute(tree, pathname)
      if (pattern === null) return assert.equal(match, null)
      assert.equal(match?.route.pattern, pattern)
      assert.deepEqual({ ...match?.params }, params)
      // Inherits nothing: a folder named [constructor] or [toString] is a plain key.
      assert.equal('constructor' in match!.params || 'toString' in match!.params || '__proto__' in match!.params, false)
    })
  }
})

describe('decoding', () => {
  const tree = treeOf(['items/[slug]/route.ts', 'files/[...path]/route.ts', 'café/route.ts'])

  test('params are decoded after splitting on /', () => {
    assert.deepEqual(matchRoute(tree, '/files/a%2Fb/c%20d')?.params.path, ['a/b', 'c d'])
    assert.equal(matchRoute(tree, '/items/a%2Fb')?.params.slug, 'a/b')
  })

  test('+ stays +', () => {
    assert.equal(matchRoute(tree, '/items/a+b')?.params.slug, 'a+b')
  })

  test('static folders match the one form clients send them in', () => {
    assert.equal(matchRoute(tree, '/caf%C3%A9')?.route.pattern, '/café')
    assert.equal(matchRoute(tree, '/café'), null)
    const ascii = treeOf(['a|b/route.ts', 'a b/route.ts'])
    assert.equal(matchRoute(ascii, '/a|b')?.route.pattern, '/a|b')
    assert.equal(matchRoute(ascii, '/a%7Cb'), null)
    assert.equal(matchRoute(ascii, '/a%20b')?.route.pattern, '/a b')
  })

  // Issue 10 #1: Express routes (and guards) on the raw path; a decoded alias is another path.
  test('static segments compare raw: an encoded alias is not the folder', () => {
    const aliases = treeOf(['admin/secret/route.ts', 'api/health/route.ts', '[[...all]]/route.ts'])
    assert.equal(matchRoute(aliases, '/%61dmin/secret')?.route.pattern, '/[[...all]]')
    assert.deepEqual(matchRoute(aliases, '/%61dmin/secret')?.params.all, ['admin', 'secret'])
    assert.equal(matchRoute(treeOf(['api/health/route.ts']), '/api/%68ealth'), null)
    assert.equal(matchRoute(treeOf(['café/route.ts']), '/caf%c3%a9'), null)
  })

  test('a [param] longer than maxParamLength once decoded is a match with an RH_ERR_PATH_PARAM_TOO_LONG error', () => {
    assert.equal(matchRoute(tree, '/items/abcd', 4)?.error, undefined)
    assert.equal(matchRoute(tree, '/items/%61%62%63%64', 4)?.error, undefined)
    const match = matchRoute(tree, '/items/abcde', 4)
    assert.equal(match?.error?.code, 'RH_ERR_PATH_PARAM_TOO_LONG')
    assert.equal(match?.error?.status, 414)
    assert.equal(matchRoute(tree, '/files/abcde/fghij', 4)?.error, undefined)
  })

  test('malformed encoding in a param is a match with an RH_ERR_PATH_ENCODING error', () => {
    const match = matchRoute(tree, '/items/%E0%A4%A')
    assert.equal(match?.route.pattern, '/items/[slug]')
    assert.equal(match?.error?.code, 'RH_ERR_PATH_ENCODING')
    assert.equal(match?.error?.status, 400)
  })

  test('malformed encoding where no route matches is no match', () => {
    assert.equal(matchRoute(tree, '/%ZZ/x/y'), null)
  })

  test('encoded dots and slashes never reach another route', () => {
    assert.equal(matchRoute(tree, '/items%2F..%2Fcaf%C3%A9'), null)
  })

  test('a "." or ".." segment where a param would take it, raw or encoded, is a 400', () => {
    const paths = ['/items/..', '/items/.', '/items/%2E%2E', '/items/%2e', '/items/.%2E', '/files/a/../b', '/files/%2e%2e']
    // Hidden behind a separator the split does not see: `%2F` (a param may hold a slash), `%5C`, `\`.
    paths.push('/items/..%2F..%2Fadmin', '/items/a%2F..', '/items/..%5Cadmin', '/items/..\\admin', '/files/x/.%2Fy')
    for (const path of paths) {
      const match = matchRoute(tree, path)
      assert.equal(match?.error?.code, 'RH_ERR_PATH_DOT_SEGMENT', path)
      assert.equal(match?.error?.status, 400)
    }
    for (const path of ['/items/...', '/items/..a', '/items/%2E%2E%2E', '/items/v1.2.3', '/items/a%2Fb.c', '/items/.hidden']) assert.equal(matchRoute(tree, path)?.error, undefined, path)
  })
})

// The Fastify plugin binds each route to its file (issue 13): checking a path against the file
// find-my-way chose must give what the full match gives whenever that file is the match, and no
// file may take a path the full match leaves unmatched. A path with repeated slashes or a
// backslash the plugin matches in full (to redirect it), never against a file alone.
describe('matchRouteFile agrees with matchRoute', () => {
  const tree = treeOf([
    'route.ts',
    'blog/new/route.ts',
    'blog/[slug]/route.ts',
    'blog/[slug]/edit/route.ts',
    'blog/[...rest]/route.ts',
    'shop/[[...path]]/route.ts',
    'items/[slug]/route.ts',
    'files/[...path]/route.ts',
    'café/route.ts',
    'a|b/route.ts',
    '[id]/x/route.ts',
  ])
  const random = seededRandom(13)
  const pinned = ['/', '/blog/new', '/blog/new/', '/blog/%6Eew', '/blog/x/edit', '/blog/x/y/', '/shop', '/shop/', '/shop/a/b', '/shop//a', '/items/a%2Fb', '/items/%zz', '/files/a%2Fb/c', '/caf%C3%A9', '/a|b', '/a%7Cb', '/7/x', '/7/x/', '//x', '/items/..', '/items/%2e%2e', '/blog/%2E/edit', '/blog/%zz/edit', `/items/${'a'.repeat(101)}`, `/${'7'.repeat(101)}/x`, '/items', '/items/a/b']
  const paths = [...pinned, ...Array.from({ length: 2000 }, () => randomPath(random).split('?')[0]!)]
  test('on pinned and random paths', () => {
    for (const path of paths.filter((candidate) => !hasRepeatedSlashes(candidate))) {
      const full = matchRoute(tree, path, 100)
      for (const route of tree.routes) {
        const bound = matchRouteFile(route, path, 100)
        if (full?.route === route) assert.deepEqual(bound, full, path)
        else if (full === null) assert.equal(bound, null, `${path} fits ${route.pattern} but nothing matches it`)
      }
    }
  })
})

// Next.js redirects a path with `//` or `\` anywhere: the test must say so wherever they lie, and the same for a path asked again (no verdict is kept from one path to the next).
describe('hasRepeatedSlashes', () => {
  test('pinned paths', () => {
    for (const path of ['//', '//x', '/x//', '/x//y', '/x\\y', '\\', '/x/\\', '/items/widget//']) assert.equal(hasRepeatedSlashes(path), true, path)
    for (const path of ['/', '/x', '/x/', '/x/y/', '/x/%2F%2F', '/x/%5C', '']) assert.equal(hasRepeatedSlashes(path), false, path)
  })
  test('the same verdict as two searches, on random paths asked twice', () => {
    const random = seededRandom(29)
    for (let round = 0; round < 3000; round++) {
      const path = randomPath(random).split('?')[0]!
      const expected = path.includes('//') || path.includes('\\')
      assert.equal(hasRepeatedSlashes(path), expected, path)
      assert.equal(hasRepeatedSlashes(`${path}`), expected, path)
    }
  })
})
