/**
 * `request.nextUrl` parses nothing until asked, and `searchParams` read first is a
 * `URLSearchParams` of the query alone (issue 13); it must stay the one live query object.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { NextRequest } from '../lib/next/next-request.ts'
import { NextURL } from '../lib/next/next-url.ts'

const nextUrl = (url: string, basePath?: string) => new NextRequest(url, { nextConfig: { basePath } }).nextUrl

describe('NextURL: searchParams before the URL is parsed', () => {
  test('reads the query, and an untouched query stays byte for byte in href and search', () => {
    const url = nextUrl('http://localhost/api/items?q=1&odd=%7e&flag&q=2', '/api')
    assert.equal(url.searchParams.get('q'), '1')
    assert.deepEqual(url.searchParams.getAll('q'), ['1', '2'])
    assert.equal(url.href, 'http://localhost/api/items?q=1&odd=%7e&flag&q=2')
    assert.equal(url.search, '?q=1&odd=%7e&flag&q=2')
    assert.equal(url.pathname, '/items')
    assert.equal(url.basePath, '/api')
  })

  test('changes made before and after the URL is parsed show in href; the object stays the same', () => {
    const url = nextUrl('http://localhost/x?a=1')
    const params = url.searchParams
    params.set('b', '2')
    assert.equal(url.href, 'http://localhost/x?a=1&b=2')
    params.delete('a')
    assert.equal(url.search, '?b=2')
    assert.equal(url.searchParams, params)
    params.delete('b')
    assert.equal(url.href, 'http://localhost/x')
  })

  test('search and href written through the URL update the params already handed out', () => {
    const url = nextUrl('http://localhost/x?a=1')
    const params = url.searchParams
    url.search = '?c=3&c=4'
    assert.deepEqual([...params], [['c', '3'], ['c', '4']])
    url.href = 'http://localhost/y?d=5'
    assert.deepEqual([...params], [['d', '5']])
    assert.equal(url.pathname, '/y')
    params.append('e', '6')
    assert.equal(url.toString(), 'http://localhost/y?d=5&e=6')
  })

  test('a clone is independent, and its changes reach String() (NextResponse.redirect(clone))', () => {
    const url = nextUrl('http://localhost/api/login?next=%2Fhome', '/api')
    const copy = url.clone()
    copy.searchParams.set('error', 'denied')
    copy.pathname = '/signin'
    assert.equal(String(copy), 'http://localhost/api/signin?next=%2Fhome&error=denied')
    assert.equal(url.href, 'http://localhost/api/login?next=%2Fhome')
    assert.equal(copy.basePath, '/api')
  })

  test('a fragment is not part of the query', () => {
    assert.equal(new NextURL('http://localhost/x?a=1#b=2').searchParams.get('b'), null)
    assert.equal(nextUrl('http://localhost/x?a=1').searchParams.get('a'), '1')
  })

  test('new NextURL() of something that is not a URL throws at once, as new URL() does', () => {
    assert.throws(() => new NextURL('not a url'), TypeError)
  })

  // Review of issue 13: the lazy params re-serialized the query only when its text changed, so a
  // write that changes nothing (deleting an absent name, which a handler does to strip a token
  // before a redirect) kept the client's bytes, where a URL and Next.js's NextURL re-serialize.
  test('any write through searchParams re-serializes the query, as a URL does, even one that changes nothing', () => {
    for (const href of ['http://localhost/x?flag', 'http://localhost/x?q=a+b&r=%20&t=%7e']) {
      const url = nextUrl(href)
      const reference = new URL(href)
      url.searchParams.delete('token')
      reference.searchParams.delete('token')
      assert.equal(url.href, reference.href)
      assert.equal(url.search, reference.search)
    }
    const url = nextUrl('http://localhost/x?b=2&a=1')
    url.searchParams.sort()
    assert.equal(url.href, 'http://localhost/x?a=1&b=2')
  })
})
