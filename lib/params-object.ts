import type { Params } from './types.ts'

// find-my-way's NullObject: instances inherit nothing (a `[constructor]` or `[__proto__]` folder's
// value is a plain own key) but stay fast-mode objects, where V8 keeps `Object.create(null)` ones
// in dictionary mode: several times slower to fill, copy and enumerate, on every request.
function ParamsObject(): void {}
ParamsObject.prototype = Object.create(null) as object

/** An empty params object that inherits no property. */
export function emptyParams(): Params {
  return new (ParamsObject as unknown as new () => Params)()
}

/** Whether `object` is a params object (see {@link emptyParams}): data, for `"use cache"` keys. */
export function isParamsObject(object: object): boolean {
  return object instanceof (ParamsObject as unknown as new () => Params)
}
