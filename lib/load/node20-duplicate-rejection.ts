/**
 * Node 20 only: an `import()` whose graph runs a CommonJS module that throws (a route file's
 * dependency: undici 8 on Node 20 throws as it loads) rejects the import's promise, which the
 * loader catches, and Node also reports the same error as an unhandled rejection once the
 * microtasks have run (Node 22 and later do not). With Node's default, that second report ends the
 * process: one route file's broken dependency took the whole app down, where the promise is that
 * it answers 500 and the others serve.
 *
 * The loader names each load error it caught here; until the next turn of the event loop, a
 * listener takes the duplicate of such an error, and anything else as Node would without it
 * (thrown, so it ends the process, under Node's default `--unhandled-rejections=throw` when no
 * other listener is set), then goes away: outside those few ticks the app's unhandled rejections
 * meet Node's own handling, and the app's own listeners.
 */
import { inspect } from 'node:util'

const AFFECTED = Number(process.versions.node.split('.')[0]) === 20

const caught = new WeakSet<object>()
let listening = false

/** Says that `error` was caught as a load error: Node 20's duplicate report of it is dropped. */
export function expectDuplicateRejection(error: unknown): void {
  if (!AFFECTED || typeof error !== 'object' || error === null) return
  caught.add(error)
  if (listening) return
  listening = true
  process.on('unhandledRejection', dropDuplicate)
  setImmediate(() => {
    process.off('unhandledRejection', dropDuplicate)
    listening = false
  })
}

function dropDuplicate(reason: unknown): void {
  if (typeof reason === 'object' && reason !== null && caught.has(reason)) return
  // Not a load error's duplicate: what Node does with it when this listener is not there.
  if (process.listenerCount('unhandledRejection') === 1 && throwsUnhandledRejections()) throw asNodeThrowsIt(reason)
}

// Node throws an Error reason as it is, and wraps anything else in ERR_UNHANDLED_REJECTION.
function asNodeThrowsIt(reason: unknown): unknown {
  if (reason instanceof Error) return reason
  const error = new Error(
    'This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). ' +
      `The promise rejected with the reason "${inspect(reason)}".`,
  )
  return Object.assign(error, { code: 'ERR_UNHANDLED_REJECTION' })
}

// Node's `--unhandled-rejections` mode, from its flags: `throw` (the default) and `strict` end the
// process; `warn`, `none` and `warn-with-error-code` do not, and neither does this listener then.
function throwsUnhandledRejections(): boolean {
  // The command line's flags after NODE_OPTIONS', which they override.
  const flags = [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]
  const mode = flags.reverse().find((flag) => flag.startsWith('--unhandled-rejections='))?.slice('--unhandled-rejections='.length)
  return mode === undefined || mode === 'throw' || mode === 'strict'
}
