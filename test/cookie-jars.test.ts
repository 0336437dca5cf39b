/**
 * Our cookie jars against the `@edge-runtime/cookies` classes Next.js uses: the same operations
 * give the same cookies and the same headers, byte for byte. Ours only avoid rewriting every header
 * on each call (issue 10 #2).
 */
import { RequestCookies, ResponseCookies, type ResponseCookie } from '@edge-runtime/cookies'
import assert from 'node:assert/strict'
import { describe, mock, test } from 'node:test'
import { mergeCookies } from '../lib/handler-result.ts'
import { RequestCookieJar } from '../lib/next/request-cookies.ts'
import { ResponseCookieJar } from '../lib/next/response-cookies.ts'
import { RouteCookies } from '../lib/next/route-cookies.ts'

type Jar = Pick<ResponseCookies, 'set' | 'delete'>
type Operation = (jar: Jar) => unknown

// maxAge sets expires from the clock: both sides must read the same one.
mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 10, 28, 12) })

const OPERATIONS: Record<string, Operation[]> = {
  'new names': [(jar) => jar.set('a', '1'), (jar) => jar.set('b', 'two words'), (jar) => jar.set({ name: 'c', value: 'é;=' })],
  'a name set again keeps its place, last value wins': [
    (jar) => jar.set('a', '1'),
    (jar) => jar.set('b', '2'),
    (jar) => jar.set('a', '3', { httpOnly: true }),
    (jar) => jar.set('c', '4'),
  ],
  'every attribute': [
    (jar) => jar.set('a', '1', { path: '/x', domain: 'example.com', secure: true, httpOnly: true, sameSite: 'strict', priority: 'high', partitioned: true }),
    (jar) => jar.set('b', '2', { maxAge: 60 }),
    (jar) => jar.set('c', '3', { expires: Date.UTC(2030, 0, 1) }),
    (jar) => jar.set('d', '4', { expires: new Date(Date.UTC(2031, 0, 1)), maxAge: 0 }),
    (jar) => jar.set({ name: 'e', value: '5', path: undefined }),
  ],
  'request cookies set out of their order': [(jar) => jar.set('new', '1'), (jar) => jar.set('x', '2'), (jar) => jar.set('a', '3')],
  deletes: [(jar) => jar.set('a', '1'), (jar) => jar.delete('a'), (jar) => jar.delete({ name: 'b', path: '/b', domain: 'example.com' }), (jar) => jar.set('c', '3')],
}

const RETURNED: Record<string, string[]> = {
  'no Set-Cookie': [],
  'cookies of other names': ['x=1', 'y=2; Path=/y; HttpOnly'],
  'a name the handler also sets, without a path, twice': ['a=first', 'b=kept; Max-Age=10', 'a=second; Secure'],
}

function responseView(jar: Pick<ResponseCookies, 'getAll' | 'toString' | 'get' | 'has'>, headers: Headers): unknown {
  return { setCookie: headers.getSetCookie(), all: jar.getAll(), string: jar.toString(), a: jar.get('a'), hasB: jar.has('b') }
}

describe('NextResponse.cookies is ResponseCookies, linear (issue 10 #2)', () => {
  for (const [returnedName, returned] of Object.entries(RETURNED)) {
    for (const [name, operations] of Object.entries(OPERATIONS)) {
      test(`${name}, over ${returnedName}`, () => {
        const theirs = new Headers(returned.map((value): [string, string] => ['set-cookie', value]))
        const ours = new Headers(theirs)
        const reference = new ResponseCookies(theirs)
        const jar = new ResponseCookieJar(ours)
        for (const operation of operations) {
          operation(reference)
          operation(jar)
          assert.deepEqual(responseView(jar, ours), responseView(reference, theirs))
        }
      })
    }
  }

  test('a Set-Cookie header added behind its back is handled as ResponseCookies handles it', () => {
    const theirs = new Headers()
    const ours = new Headers()
    const reference = new ResponseCookies(theirs)
    const jar = new ResponseCookieJar(ours)
    for (const [cookies, headers] of [[reference, theirs], [jar, ours]] as const) {
      cookies.set('a', '1')
      headers.append('set-cookie', 'outside=1')
      cookies.set('b', '2')
    }
    assert.deepEqual(ours.getSetCookie(), theirs.getSetCookie())
  })

  test('10,000 names, then every tenth set again, in order', () => {
    const headers = new Headers()
    const jar = new ResponseCookieJar(headers)
    for (let index = 0; index < 10_000; index++) jar.set(`c${index}`, `v${index}`)
    for (let index = 0; index < 10_000; index += 1000) jar.set(`c${index}`, 'again')
    const expected = Array.from({ length: 10_000 }, (_, index) => `c${index}=${index % 1000 === 0 ? 'again' : `v${index}`}; Path=/`)
    assert.deepEqual(headers.getSetCookie(), expected)
  })
})

describe('NextRequest.cookies is RequestCookies, linear (issue 10 #2)', () => {
  const HEADERS = ['', 'a=1; b=two%20words', 'a=1;b=2; bad=%E0%A4%A; a=3; flag', 'only=%E0%A4%A']
  const REQUEST_OPERATIONS: ((jar: RequestCookies) => unknown)[][] = [
    [(jar) => jar.set('n', '1'), (jar) => jar.set({ name: 'm', value: 'é ;' }), (jar) => jar.set('o', '3')],
    [(jar) => jar.set('a', 'again'), (jar) => jar.set('p', '1')],
    [(jar) => jar.delete('a'), (jar) => jar.set('q', '1'), (jar) => jar.delete(['q', 'zz']), (jar) => jar.set('r', '1')],
    [(jar) => jar.clear(), (jar) => jar.set('s', '1'), (jar) => jar.set('t', '2')],
  ]
  for (const header of HEADERS) {
    for (const [index, operations] of REQUEST_OPERATIONS.entries()) {
      test(`sequence ${index + 1} over "${header}"`, () => {
        const theirs = new Headers(header ? { cookie: header } : {})
        const ours = new Headers(theirs)
        const reference = new RequestCookies(theirs)
        const jar = new RequestCookieJar(ours) as unknown as RequestCookies
        const view = (cookies: RequestCookies, headers: Headers) => ({
          cookie: headers.get('cookie'),
          all: cookies.getAll(),
          entries: [...cookies],
          size: cookies.size,
          string: cookies.toString(),
          a: cookies.get('a'),
          hasB: cookies.has('b'),
        })
        assert.deepEqual(view(jar, ours), view(reference, theirs))
        for (const operation of operations) {
          const theirResult = operation(reference)
          const ourResult = operation(jar)
          // set() and clear() return the jar itself, delete() what existed.
          if (theirResult === reference) assert.equal(ourResult, jar)
          else assert.deepEqual(ourResult, theirResult)
          assert.deepEqual(view(jar, ours), view(reference, theirs))
        }
      })
    }
  }
})

/** Next.js's cookies() in a route handler: a ResponseCookies holding each request cookie. */
function nextCookies(header: string): ResponseCookies {
  const jar = new ResponseCookies(new Headers())
  for (const cookie of new RequestCookies(new Headers({ cookie: header })).getAll()) jar.set(cookie)
  return jar
}

/** Next.js's appendMutableCookies. */
function nextMerge(headers: Headers, modified: ResponseCookie[]): void {
  const responseCookies = new ResponseCookies(headers)
  const returned = responseCookies.getAll()
  for (const cookie of modified) responseCookies.set(cookie)
  for (const cookie of returned) responseCookies.set(cookie)
}

describe('cookies() and its merge into the response are Next.js\'s, linear (issue 10 #2)', () => {
  const header = 'a=1; b=two%20words; bad=%E0%A4%A; x=kept'
  for (const [returnedName, returned] of Object.entries(RETURNED)) {
    for (const [name, operations] of Object.entries(OPERATIONS)) {
      test(`${name}, returned with ${returnedName}`, () => {
        const reference = nextCookies(header)
        const jar = new RouteCookies(new Headers({ cookie: header }))
        const touched = new Set<string>()
        for (const operation of operations) {
          operation(reference)
          operation({
            set: (...args: Parameters<Jar['set']>) => (touched.add(typeof args[0] === 'string' ? args[0] : args[0].name), jar.set(...args)),
            delete: (...args: Parameters<Jar['delete']>) => (touched.add(typeof args[0] === 'string' ? args[0] : args[0].name), jar.delete(...args)),
          } as unknown as Jar)
        }
        assert.deepEqual(jar.getAll(), reference.getAll())
        assert.equal(jar.toString(), reference.toString())
        assert.deepEqual(jar.get('b'), reference.get('b'))
        assert.equal(jar.size, reference.getAll().length)
        const modified = reference.getAll().filter((cookie) => touched.has(cookie.name))
        assert.deepEqual(jar.modified(), modified)
        const theirs = new Headers(returned.map((value): [string, string] => ['set-cookie', value]))
        const ours = new Headers(theirs)
        nextMerge(theirs, jar.modified())
        mergeCookies(ours, jar.modified())
        assert.deepEqual(ours.getSetCookie(), theirs.getSetCookie())
      })
    }
  }
})
