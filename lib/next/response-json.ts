import { inRouteRequest } from '../context.ts'
import { processGlobal } from '../process-global.ts'
import { NextResponse } from './next-response.ts'

// undici's own `Response.json`, kept once per process before anything replaces it.
const undici = processGlobal('response-json', () => ({ json: Response.json, patched: false }))

/** undici's `Response.json()`, whatever `Response.json` is now. */
export function undiciResponseJson(data: unknown, init?: ResponseInit): Response {
  return undici.json.call(Response, data, init)
}

/**
 * Makes `Response.json()` inside route handlers as cheap as `NextResponse.json()`: route files
 * copied from Next.js return it as often as `NextResponse.json()`, and undici builds a body stream
 * for each one (on Node 20 that alone costs about as much as the rest of a small request). Inside
 * a route handler's request it answers what `NextResponse.json()` does (a `Response` whose undici
 * object and stream are made only if something reads the body as a stream), which the hosts write
 * from its text. Anywhere else (the app's own code, a subclass's `json`), undici's is called with
 * the very same arguments. Once per process.
 */
export function patchResponseJson(): void {
  if (undici.patched) return
  undici.patched = true
  const original = undici.json
  Response.json = function json(this: unknown, data: unknown, init?: ResponseInit): Response {
    if (this === Response && inRouteRequest()) return NextResponse.json(data, init)
    return Reflect.apply(original, this, [data, init]) as Response
  }
}
