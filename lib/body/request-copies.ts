import { processGlobal } from '../process-global.ts'
import { copySource } from './copy-source.ts'

/**
 * Makes `new Request(request)` copy a lazily made request where the runtime's `Request` cannot by
 * itself (undici 7 and 8, Node 24+, keep a request's state in private fields: the copy constructor
 * throws on any object its own constructor did not make). The global `Request` becomes a function
 * that hands undici's constructor the real request behind a lazy one and is otherwise undici's: the
 * same `prototype` (so `instanceof` and its speed are unchanged), statics, `name`, and subclassing
 * (`class X extends Request`, `new.target` kept). A function rather than a Proxy: `instanceof`
 * against a Proxy takes V8's slow path, for every check in the process. Once per process.
 *
 * Code that took `Request` before this ran (a subclass declared by a module imported earlier, a
 * saved reference) keeps undici's own and cannot copy a lazily made request on those lines.
 */
export function installRequestCopies(): void {
  processGlobal('request-copies', () => {
    const original = globalThis.Request
    // Arguments passed on as given: undici's own errors for missing ones (`1 argument required`).
    function Request(this: unknown, ...args: unknown[]): Request {
      if (new.target === undefined) throw new TypeError("Class constructor Request cannot be invoked without 'new'")
      if (args.length > 0) args[0] = copySource(args[0])
      return Reflect.construct(original, args, new.target === Request ? original : new.target) as Request
    }
    for (const key of Reflect.ownKeys(original)) {
      if (key === 'prototype' || key === 'name') continue
      Object.defineProperty(Request, key, Object.getOwnPropertyDescriptor(original, key)!)
    }
    Object.defineProperty(Request, 'prototype', { value: original.prototype, writable: false })
    Object.setPrototypeOf(Request, Object.getPrototypeOf(original) as object)
    // `request.constructor` stays the global `Request`, for code that compares or calls it.
    Object.defineProperty(original.prototype, 'constructor', { value: Request, writable: true, configurable: true, enumerable: false })
    globalThis.Request = Request as unknown as typeof globalThis.Request
    return Request
  })
}
