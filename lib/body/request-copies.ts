import { processGlobal } from '../process-global.ts'
import { copySource } from './copy-source.ts'

/**
 * Makes `new Request(request)` copy a lazily made request where the runtime's `Request` cannot by
 * itself (undici 7, Node 24+, keeps a request's state in private fields: the copy constructor
 * throws on any object its constructor did not make). The global `Request` becomes a Proxy of
 * itself whose only change is to hand the constructor the real request behind a lazy one: the same
 * prototype, `instanceof`, statics and subclassing (`class X extends Request`). Once per process.
 */
export function installRequestCopies(): void {
  processGlobal('request-copies', () => {
    const original = globalThis.Request
    const copying: typeof Request = new Proxy(original, {
      construct(target, args: unknown[], newTarget) {
        if (args.length > 0) args[0] = copySource(args[0])
        return Reflect.construct(target, args, newTarget === copying ? target : newTarget) as object
      },
    })
    // `request.constructor` stays the global `Request`, for code that compares or calls it.
    Object.defineProperty(original.prototype, 'constructor', { value: copying, writable: true, configurable: true, enumerable: false })
    globalThis.Request = copying
    return copying
  })
}
