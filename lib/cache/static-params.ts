import type { LoadedRoute } from '../loaded-route.ts'
import type { Params } from '../types.ts'

// What each route module's generateStaticParams() listed, asked once it answers (Next.js asks at build time).
const listed = new WeakMap<LoadedRoute, Promise<Record<string, unknown>[]>>()

/**
 * `export const dynamicParams = false`: only the params `generateStaticParams()` lists are served
 * (Next.js answers the others 404); a route without `generateStaticParams` serves none of its
 * dynamic paths. With `dynamicParams` true (the default), every path is served.
 */
export async function staticParamsAllow(route: LoadedRoute, params: Params): Promise<boolean> {
  const names = Object.keys(params)
  if (route.config.dynamicParams || names.length === 0) return true
  const generate = route.config.generateStaticParams
  if (!generate) return false
  let list = listed.get(route)
  if (!list) {
    list = Promise.resolve()
      .then(() => generate.call(undefined, { params: {} }))
      .then((value) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []))
    // A failure (its data source not up yet) answers this request with the error; the next asks again.
    list.catch(() => listed.delete(route))
    listed.set(route, list)
  }
  return (await list).some((entry) => names.every((name) => sameParam(entry?.[name], params[name]!)))
}

function sameParam(listedValue: unknown, value: string | string[]): boolean {
  if (Array.isArray(value)) return Array.isArray(listedValue) && listedValue.length === value.length && value.every((part, i) => String(listedValue[i]) === part)
  return String(listedValue) === value
}
