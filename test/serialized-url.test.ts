/**
 * `request.url` of a request a host made is the URL Standard's serialization of the URL the host
 * built from the client's target (`new URL(url).href === url`), as for any `Request`; routing reads
 * the target as sent (socket-behaviour.ts has both over real sockets).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { serializedUrl } from '../lib/serialized-url.ts'

describe('serializedUrl', () => {
  test('a URL the parser would leave alone is returned as it is (the same string)', () => {
    for (const url of ['http://localhost/api/items?q=1&odd=%7e&flag&q=2', 'https://a.example/.well-known/x?y=/./#f', 'http://a/p?q=%zz+%20&[]=|^']) {
      assert.equal(serializedUrl(url), url)
    }
  })

  test('quotes, angle brackets, braces and backticks are percent-encoded where the parser encodes them', () => {
    assert.equal(serializedUrl('http://a/x?a="x"&c=<>&d=\''), 'http://a/x?a=%22x%22&c=%3C%3E&d=%27')
    assert.equal(serializedUrl('http://a/{x}`y`'), 'http://a/%7Bx%7D%60y%60')
  })

  test('dot segments are resolved and a backslash in the path is a slash, as in new URL()', () => {
    assert.equal(serializedUrl('http://a/x/%2e%2E/y?q'), 'http://a/y?q')
    assert.equal(serializedUrl('http://a/x/..'), 'http://a/')
    assert.equal(serializedUrl('http://a/x\\y'), 'http://a/x/y')
  })

  test('a non-ASCII character (an app rewrote the URL: Node refuses one from the wire) is its UTF-8 bytes, as in new URL()', () => {
    assert.equal(serializedUrl('http://a/r\u00e9sum\u00e9'), 'http://a/r%C3%A9sum%C3%A9')
    assert.equal(serializedUrl('http://a/\u0101?q=\u0101'), 'http://a/%C4%81?q=%C4%81')
  })

  test('what does not parse is left as it is', () => {
    assert.equal(serializedUrl('http://a:99999/x"'), 'http://a:99999/x"')
  })

  test('the result always parses to itself', () => {
    for (const url of ['http://a/x?a="x"', 'http://a/x/%2e/y', 'http://a/\u00ff', 'http://a/x#"f"']) {
      const serialized = serializedUrl(url)
      assert.equal(new URL(serialized).href, serialized, url)
    }
  })
})
