/**
 * after() and connection() beyond what every host shows (next-apis-behaviour.ts): where failures
 * go, what close() waits for, and the errors Next.js throws.
 */
import assert from 'node:assert/strict'
import pino from 'pino'
import { after as afterAll, describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { createRouteHandlers, isRouteHandlersError } from '../lib/index.ts'
import { after, connection, unstable_after } from '../lib/next/server.ts'
import { APP_DIR } from './helpers/targets.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
afterAll(() => process.off('unhandledRejection', onUnhandled))

function recordingLogger() {
  const errors: Array<{ message: string; error: unknown }> = []
  return { errors, logger: { warn() {}, error: (message: string, error?: unknown) => errors.push({ message, error }) } }
}

// A test-controlled gate, reachable from route files through globalThis.
interface Gate {
  events: string[]
  open: () => void
  opened: Promise<void>
}
function gate(name: string): Gate {
  let open = () => {}
  const opened = new Promise<void>((resolve) => (open = resolve))
  const value: Gate = { events: [], open, opened }
  ;(globalThis as Record<string, unknown>)[name] = value
  return value
}

const slowAfter = tempRouteFolder({
  'slow/route.ts': `
import { after } from 'next/server'
export function GET() {
  const gate = (globalThis as any).__slowAfter
  after(async () => {
    gate.events.push('started')
    await gate.opened
    gate.events.push('finished')
  })
  return new Response('body')
}
`,
  'invalid/route.ts': `
import { after } from 'next/server'
export function GET() {
  after('not a task' as never)
  return new Response('unreachable')
}
`,
})

describe('after()', () => {
  test('failures are logged through the logger, never unhandled; the response is unaffected', async () => {
    const { errors, logger } = recordingLogger()
    const routes = await createRouteHandlers({ dir: APP_DIR, logger }).ready()
    const response = await routes.handle(new Request('http://localhost/next-apis/after/fails?id=logged'))
    assert.equal(await response!.text(), 'still fine')
    await routes.close()
    assert.deepEqual(
      errors.map(({ message, error }) => [message, (error as Error).message]).sort(),
      [
        ['route-handlers: an error occurred in a function passed to after()', 'rejected in a callback'],
        ['route-handlers: an error occurred in a function passed to after()', 'thrown in a callback'],
        ['route-handlers: an error occurred in a promise passed to after()', 'rejected promise'],
      ],
    )
    await nextTurn()
    assert.deepEqual(unhandled, [])
  })

  test('a pino logger given as it is logs the error under err (pino would read a second argument as a format value)', async () => {
    const lines: Array<{ msg?: string; err?: { message?: string } }> = []
    const log = pino({ base: null }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const routes = await createRouteHandlers({ dir: APP_DIR, logger: log }).ready()
    await (await routes.handle(new Request('http://localhost/next-apis/after/fails?id=pino')))!.text()
    await routes.close()
    const failures = lines.filter((line) => line.msg?.includes('passed to after()'))
    assert.deepEqual(failures.map((line) => line.err?.message).sort(), ['rejected in a callback', 'rejected promise', 'thrown in a callback'])
  })

  // Review: a logger that prints every argument (`logger: console`) was handed the request, its
  // cookies and Authorization included. The request goes only to a logger that asks for it.
  test('a failure reaches a logger as (message, error) alone; one with forRequest gets its request there', async () => {
    const calls: unknown[][] = []
    const plain = { warn() {}, error: (...args: unknown[]) => void calls.push(args) }
    const routes = await createRouteHandlers({ dir: APP_DIR, logger: plain }).ready()
    await (await routes.handle(new Request('http://localhost/next-apis/after/fails?id=plain', { headers: { authorization: 'Bearer secret' } })))!.text()
    await routes.close()
    assert.equal(calls.length, 3)
    for (const args of calls) assert.equal(args.length, 2)
    const seen: string[] = []
    const asking = { ...plain, forRequest: (request: Request) => ({ warn() {}, error: () => void seen.push(new URL(request.url).search) }) }
    const again = await createRouteHandlers({ dir: APP_DIR, logger: asking }).ready()
    await (await again.handle(new Request('http://localhost/next-apis/after/fails?id=asking')))!.text()
    await again.close()
    assert.deepEqual(seen, ['?id=asking', '?id=asking', '?id=asking'])
  })

  test('close() waits for running callbacks, and for callbacks whose response is not sent yet', async () => {
    const slow = gate('__slowAfter')
    const routes = await createRouteHandlers({ dir: slowAfter }).ready()
    const response = (await routes.handle(new Request('http://localhost/slow')))!
    const closing = routes.close().then(() => slow.events.push('closed'))
    for (let turn = 0; turn < 3; turn++) await nextTurn()
    // The body has not been read: the callback waits, and close() with it.
    assert.deepEqual(slow.events, [])
    assert.equal(await response.text(), 'body')
    for (let turn = 0; turn < 3; turn++) await nextTurn()
    assert.deepEqual(slow.events, ['started'])
    slow.open()
    await closing
    assert.deepEqual(slow.events, ['started', 'finished', 'closed'])
  })

  test('close() resolves at once when nothing is pending', async () => {
    await createRouteHandlers({ dir: slowAfter }).close()
  })

  test('a task that is neither a promise nor a function → RH_ERR_AFTER_INVALID', async () => {
    const routes = await createRouteHandlers({ dir: slowAfter }).ready()
    await assert.rejects(routes.handle(new Request('http://localhost/invalid')), { code: 'RH_ERR_AFTER_INVALID' })
  })

  test('outside a request after(), unstable_after() and connection() throw RH_ERR_CONTEXT_MISSING', () => {
    for (const call of [() => after(() => {}), () => unstable_after(Promise.resolve()), () => connection()]) {
      assert.throws(call, (error) => isRouteHandlersError(error) && error.code === 'RH_ERR_CONTEXT_MISSING')
    }
    assert.equal(unstable_after, after)
  })
})
