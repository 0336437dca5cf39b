/**
 * What every host on a real socket must survive (../shared/SPEC.md "Errors belong to the host",
 * issue "Request bodies, limits and hostile input"): clients that lie, leave or send garbage. Run
 * against the standalone server, Express and Fastify.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomHeaders, randomMethod, randomPath, seededRandom } from './fuzz.ts'
import { disconnectMidStream, eventually, rawRequest } from './http.ts'
import { RawConnection } from './raw-connection.ts'
import type { SocketTarget } from './targets.ts'

/** Unhandled rejections and uncaught exceptions seen while a suite runs: there must be none. */
function watchProcess(): { problems: unknown[]; stop: () => void } {
  const problems: unknown[] = []
  const record = (problem: unknown) => problems.push(problem)
  process.on('unhandledRejection', record)
  process.on('uncaughtException', record)
  return {
    problems,
    stop: () => {
      process.off('unhandledRejection', record)
      process.off('uncaughtException', record)
    },
  }
}

/**
 * Sends two requests down one TCP connection, the first with a large body, and resolves with
 * everything the server answered once the second answer has arrived (or after five seconds).
 */
function twoRequestsOnOneConnection(port: number, first: { path: string; body: Buffer }, second: { path: string; body: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    const timer = setTimeout(() => finish(), 5000)
    const finish = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(answer)
    }
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      answer += chunk
      if ((answer.match(/HTTP\/1\.1 /g) ?? []).length >= 2 && answer.endsWith('}')) finish()
    })
    socket.on('error', reject)
    socket.on('close', finish)
    socket.write(`POST ${first.path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${first.body.byteLength}\r\n\r\n`)
    socket.write(first.body)
    socket.write(
      `POST ${second.path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(second.body)}\r\n\r\n${second.body}`,
    )
  })
}

/** Starts a POST with a streamed body, sends part of it, then drops the connection. */
async function disconnectMidUpload(port: number, path: string): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n`)
  socket.write(Buffer.alloc(64 * 1024, 1))
  await sleep(30)
  socket.destroy()
}

export function runSocketBehaviour(name: string, start: () => Promise<SocketTarget>): void {
  describe(name, () => {
    let target: SocketTarget
    let watcher: ReturnType<typeof watchProcess>
    before(async () => {
      target = await start()
      watcher = watchProcess()
    })
    after(async () => {
      watcher.stop()
      await target.close()
    })
    const url = (path: string) => `http://127.0.0.1:${target.port}${target.prefix}${path}`
    const stillServing = async () => assert.equal((await fetch(url('/items'))).status, 200)

    test('a Content-Length larger than the body sent → 400, no hang', async () => {
      const answer = await rawRequest(target.port, `POST ${target.prefix}/bodies/digest HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`)
      assert.match(answer, /^HTTP\/1\.1 400 /)
      await stillServing()
    })

    test('a Content-Length smaller than the body sent → 400 for the rest, no hang', async () => {
      const answer = await rawRequest(
        target.port,
        `POST ${target.prefix}/bodies/digest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n0123456789 and more that is not a request\r\n\r\n`,
      )
      assert.match(answer, /HTTP\/1\.1 400 /)
      await stillServing()
    })

    test('small JSON bodies that come with their heads, two requests in one packet: both read whole, the connection stays open', async () => {
      const connection = await RawConnection.open(target.port)
      try {
        const post = (body: string) => `POST ${target.prefix}/bodies/json HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        const first = JSON.stringify({ first: 'é'.repeat(300) })
        connection.write(post(first) + post('{"second":2}'))
        assert.deepEqual(JSON.parse((await connection.response()).body), { received: JSON.parse(first) })
        assert.deepEqual(JSON.parse((await connection.response()).body), { received: { second: 2 } })
        // And once more on the same connection, after both were answered.
        connection.write(post('{"third":3}'))
        assert.deepEqual(JSON.parse((await connection.response()).body), { received: { third: 3 } })
        assert.equal(connection.isClosed, false)
      } finally {
        connection.destroy()
      }
    })

    test('a JSON body whose bytes come after the head, in two pieces: read whole', async () => {
      const connection = await RawConnection.open(target.port)
      try {
        const body = JSON.stringify({ late: 'x'.repeat(2000) })
        connection.write(`POST ${target.prefix}/bodies/json HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`)
        await sleep(20)
        connection.write(body.slice(0, 700))
        await sleep(20)
        connection.write(body.slice(700))
        assert.deepEqual(JSON.parse((await connection.response()).body), { received: JSON.parse(body) })
      } finally {
        connection.destroy()
      }
    })

    test('a handler that ignores a 10 MB body leaves the keep-alive connection usable', async () => {
      const answer = await twoRequestsOnOneConnection(
        target.port,
        { path: `${target.prefix}/bodies/ignore`, body: Buffer.alloc(10 * 1024 * 1024, 7) },
        { path: `${target.prefix}/bodies/json`, body: '{"again":true}' },
      )
      const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1])
      assert.deepEqual(statuses, ['200', '200'])
      assert.match(answer, /ignored/)
      assert.ok(answer.endsWith('{"received":{"again":true}}'), answer.slice(-200))
    })

    test('a handler that reads part of a 10 MB body leaves the keep-alive connection usable', async () => {
      const answer = await twoRequestsOnOneConnection(
        target.port,
        { path: `${target.prefix}/bodies/read-some`, body: Buffer.alloc(10 * 1024 * 1024, 7) },
        { path: `${target.prefix}/bodies/json`, body: '{"again":true}' },
      )
      assert.deepEqual([...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]), ['200', '200'])
      assert.match(answer, /read \d+ bytes/)
      assert.ok(answer.endsWith('{"received":{"again":true}}'), answer.slice(-200))
    })

    test('a body read after the response was sent still arrives whole', async () => {
      const results = ((globalThis as Record<string, unknown>).__backgroundReads ??= []) as Array<number | string>
      const before = results.length
      const pad = 'x'.repeat(600_000)
      const response = await fetch(url('/bodies/background-read'), { method: 'POST', body: JSON.stringify({ pad }), headers: { 'content-type': 'application/json' } })
      assert.equal(response.status, 202)
      assert.ok(await eventually(() => results.length > before), 'the background read finished')
      assert.equal(results[before], pad.length)
    })

    test('a body read as a stream after the response was sent still arrives whole', async () => {
      const results = ((globalThis as Record<string, unknown>).__backgroundStreamReads ??= []) as Array<number | string>
      const before = results.length
      const body = Buffer.alloc(600_000, 7)
      const response = await fetch(url('/bodies/background-stream-read'), { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
      assert.equal(response.status, 202)
      assert.ok(await eventually(() => results.length > before), 'the background read finished')
      assert.equal(results[before], body.byteLength)
    })

    test('a client that disconnects during an upload does not hurt the server', async () => {
      await disconnectMidUpload(target.port, `${target.prefix}/bodies/digest`)
      await disconnectMidUpload(target.port, `${target.prefix}/bodies/stream-digest`)
      await sleep(50)
      await stillServing()
    })

    test('a client that disconnects mid-download aborts request.signal and cancels the stream', async () => {
      const endless = () => ((globalThis as Record<string, unknown>).__endless ?? { cancelled: 0, aborted: 0 }) as { cancelled: number; aborted: number }
      const before = { ...endless() }
      await disconnectMidStream(url('/dispatch/endless'))
      assert.ok(await eventually(() => endless().aborted === before.aborted + 1), 'signal aborted')
      assert.ok(await eventually(() => endless().cancelled === before.cancelled + 1), 'stream cancelled')
      await stillServing()
    })

    test('a signal first read while the body streams aborts before the host cancels the stream', async () => {
      const runs = () => ((globalThis as Record<string, unknown>).__lateSignal as { runs: string[][] } | undefined)?.runs ?? []
      const before = runs().length
      await disconnectMidStream(url('/dispatch/late-signal'))
      assert.ok(await eventually(() => runs().length > before && runs()[before]!.length > 0), 'the handler heard of it')
      await sleep(20)
      // The stream closed itself on abort: nothing left to cancel, and closing did not throw.
      assert.deepEqual(runs()[before], ['abort'])
      await stillServing()
    })

    test('a response stream that fails after it started: the connection is cut, the server goes on', async () => {
      await assert.rejects(async () => {
        const response = await fetch(url('/dispatch/stream-fails'), { headers: { 'accept-encoding': 'identity' } })
        assert.equal(response.status, 200)
        await response.text()
      })
      await stillServing()
    })

    test('a header value HTTP cannot carry → 500 before anything is sent', async () => {
      const response = await fetch(url('/dispatch/invalid-header'))
      assert.equal(response.status, 500)
      assert.equal(response.headers.get('x-ok'), null)
      await stillServing()
    })

    test('empty answers (405, redirect(), 204) go out with Content-Length: 0 or none, never an empty chunked body', async () => {
      for (const [method, path] of [['PATCH', '/dispatch/only-get'], ['GET', '/dispatch/redirects?kind=redirect'], ['OPTIONS', '/dispatch/only-get']]) {
        const answer = await rawRequest(target.port, `${method} ${target.prefix}${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
        const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase()
        assert.doesNotMatch(head, /transfer-encoding/, `${method} ${path}: ${head}`)
        assert.equal(answer.slice(answer.indexOf('\r\n\r\n') + 4), '')
        if (!/^http\/1\.1 204/.test(head)) assert.match(head, /\r\ncontent-length: 0(\r\n|$)/, `${method} ${path}: ${head}`)
      }
    })

    test("a handler's Content-Length that is not its body's: the body's real length goes out, whole", async () => {
      for (const [query, length, body] of [['claim=5', 11, 'hello world'], ['claim=500', 11, 'hello world'], ['claim=3&body=blob', 11, 'hello world'], ['claim=5&body=none', 0, '']] as const) {
        const answer = await rawRequest(target.port, `GET ${target.prefix}/dispatch/wrong-length?${query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
        assert.match(answer, /^HTTP\/1\.1 200 /)
        assert.match(answer.toLowerCase(), new RegExp(`\\r\\ncontent-length: ${length}\\r\\n`), `${query}: ${answer.slice(0, 200)}`)
        assert.equal(answer.slice(answer.indexOf('\r\n\r\n') + 4), body)
      }
    })

    test("a handler's hop-by-hop headers (a proxied upstream's): no Transfer-Encoding beside a Content-Length, no Keep-Alive", async () => {
      for (const kind of ['stream', 'text']) {
        const answer = await rawRequest(target.port, `GET ${target.prefix}/dispatch/transfer-encoding?kind=${kind} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
        const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase()
        assert.ok(!(head.includes('\r\ntransfer-encoding:') && head.includes('\r\ncontent-length:')), `${kind}: ${head}`)
        assert.doesNotMatch(head, /\r\n(keep-alive: timeout=1|proxy-connection:)/, kind)
        const response = await fetch(url(`/dispatch/transfer-encoding?kind=${kind}`))
        assert.equal(await response.text(), 'upstream answer', kind)
      }
    })

    test('a "." or ".." segment a param would take, raw or encoded → 400, never the handler (a proxy joining params would leave its prefix)', async () => {
      const paths = ['/conventions/files/x/../../items/secret', '/conventions/files/%2E%2E', '/next-apis/params/a/b/./c', '/items/..']
      // Behind a separator the path's split does not see.
      paths.push('/items/..%2F..%2Fadmin', '/conventions/files/x/..%5C..%5Citems', '/items/..\\..\\admin')
      // With a trailing slash: refused, not redirected to a path a client would resolve.
      paths.push('/items/%2e%2e/', '/items/%2e%2e//')
      for (const path of paths) {
        const answer = await rawRequest(target.port, `GET ${target.prefix}${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
        assert.match(answer, /^HTTP\/1\.1 400 /, `${path} → ${answer.slice(0, 120)}`)
      }
      const fine = await rawRequest(target.port, `GET ${target.prefix}/conventions/files/x/..a/b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
      assert.match(fine, /^HTTP\/1\.1 200 [^]*"path":\["x","..a","b"\]/)
    })

    test('request.url is serialized as the URL Standard does (new URL(url).href === url): host lower-cased, default port dropped, quotes and angle brackets of the query percent-encoded, the rest as sent', async () => {
      const path = `${target.prefix}/search?query=a"b'<c>%20+d&x=%zz`
      const answer = await rawRequest(target.port, `GET ${path} HTTP/1.1\r\nHost: Example.COM:80\r\nConnection: close\r\n\r\n`)
      assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 120))
      const { url, query, href } = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { url: string; query: string; href: string }
      assert.equal(url, `http://example.com${target.prefix}/search?query=a%22b%27%3Cc%3E%20+d&x=%zz`)
      assert.equal(new URL(url).href, url)
      assert.equal(href, url, 'nextUrl.href')
      assert.equal(query, 'a"b\'<c>  d')
    })

    test('a head with Latin-1 text goes out the same with or without a cookie set through cookies() (the copy cookies() makes keeps the body it was made from)', async () => {
      const disposition = async (query: string) => {
        const answer = await rawRequest(target.port, `GET ${target.prefix}/headers/non-ascii${query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
        assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 120))
        return answer.split('\r\n').find((line) => /^content-disposition:/i.test(line))
      }
      const plain = await disposition('')
      assert.ok(plain?.includes('filename="r'), plain)
      assert.equal(await disposition('?cookie'), plain)
    })

    test('a raw backslash in the path answers 308 to the path with a slash there, as Next.js does', async () => {
      const answer = await rawRequest(target.port, `GET ${target.prefix}/conventions/files/a\\b?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
      assert.match(answer, /^HTTP\/1\.1 308 /, answer.slice(0, 120))
      assert.match(answer, new RegExp(`\r\nlocation: ${target.prefix}/conventions/files/a/b\\?q=1\r\n`, 'i'))
    })

    test('fuzz: thousands of random paths and headers get well-formed answers from routes in the table', async () => {
      const random = seededRandom(20261124)
      const privateMarker = '"route":"_private"'
      for (let batch = 0; batch < 150; batch++) {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const method = randomMethod(random)
            const path = randomPath(random)
            const headers = randomHeaders(random)
            const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? 'x=1' : null
            const answer = await rawRequest(
              target.port,
              `${method} ${target.prefix}${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
                .map(([name, value]) => `${name}: ${value}\r\n`)
                .join('')}${body === null ? '' : `Content-Length: ${body.length}\r\n`}Connection: close\r\n\r\n${body ?? ''}`,
            )
            const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1])
            assert.ok(status >= 200 && status < 600, `${method} ${path} ${JSON.stringify(headers)} → ${answer.slice(0, 80)}`)
            assert.ok(!answer.includes(privateMarker), `${method} ${path} reached a private folder`)
          }),
        )
      }
      await stillServing()
    })

    test('5,000 requests, some aborted: no listener leak warning, no growth in open handles', async () => {
      const warnings: string[] = []
      const onWarning = (warning: Error) => warnings.push(warning.name)
      process.on('warning', onWarning)
      // The client keeps up to 20 connections alive: open them first, then count.
      await Promise.all(Array.from({ length: 20 }, () => fetch(url('/items')).then((response) => response.arrayBuffer())))
      const handlesBefore = process.getActiveResourcesInfo().length
      try {
        const paths = ['/items', '/rss.xml', '/dispatch/endless', '/bodies/json', '/items/x']
        for (let batch = 0; batch < 250; batch++) {
          await Promise.all(
            Array.from({ length: 20 }, async (_, index) => {
              const path = paths[(batch + index) % paths.length]!
              const controller = new AbortController()
              const aborts = path === '/dispatch/endless' || index % 7 === 0
              const init: RequestInit = path === '/bodies/json' ? { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } } : {}
              try {
                const response = await fetch(url(path), { ...init, signal: controller.signal, headers: { ...init.headers, 'accept-encoding': 'identity' } })
                if (aborts) {
                  await response.body?.getReader().read()
                  controller.abort()
                } else await response.arrayBuffer()
              } catch (error) {
                if (!aborts) throw error
              }
            }),
          )
        }
      } finally {
        process.off('warning', onWarning)
      }
      assert.deepEqual(warnings.filter((name) => name === 'MaxListenersExceededWarning'), [])
      assert.ok(
        await eventually(() => process.getActiveResourcesInfo().length <= handlesBefore + 10),
        `open handles grew from ${handlesBefore} to ${process.getActiveResourcesInfo().length}`,
      )
      await stillServing()
    })

    test('no unhandled rejection or uncaught exception so far', () => {
      assert.deepEqual(watcher.problems, [])
    })
  })
}
