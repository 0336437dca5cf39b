import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { existingProcessGlobal } from '../process-global.ts'
import type { RouteGraph } from './route-graph.ts'

// `fetch(new URL('./font.ttf', import.meta.url))`, the way Next.js's `ImageResponse` examples load
// a font: Next's bundler makes the file an asset that `fetch` answers, where Node's `fetch` refuses
// a `file:` URL ("not implemented"). Here the files a module of the route graph names that way,
// with a literal path, are noted as it loads, and only those are answered from disk: a `file:` URL
// a handler builds from a client's input (a proxy route) still fails, so no route can be made to
// read other files.
const ASSET_URL = /new\s+URL\(\s*(['"])([^'"\\\n]+)\1\s*,\s*import\.meta\.url\s*\)/g

/** Records the files `source` (the module at `path`) names as `new URL('<literal>', import.meta.url)`. */
export function noteAssetUrls(graph: RouteGraph, path: string, source: string): void {
  if (!source.includes('import.meta.url')) return
  const base = pathToFileURL(path)
  for (const [, , literal] of source.matchAll(ASSET_URL)) {
    const url = new URL(literal!, base)
    if (url.protocol === 'file:') graph.addAsset(url.href.replace(/[?#].*$/, ''))
  }
}

/**
 * The file a `fetch()` input names if it is one of the route graph's assets, or `undefined` (any
 * other input, or no route graph in this process).
 */
export function routeAssetPath(input: unknown): string | undefined {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined
  if (href === undefined || !href.startsWith('file:')) return undefined
  const graph = existingProcessGlobal<RouteGraph>('route-graph')
  return graph?.isAsset(href) ? fileURLToPath(href) : undefined
}

/** A route graph asset as `fetch` would answer it: its bytes, status 200. */
export async function assetResponse(path: string): Promise<Response> {
  return new Response(await readFile(path))
}
