import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { existingProcessGlobal } from '../process-global.ts'
import type { FolderConfig } from './folder-config.ts'
import type { RouteGraph } from './route-graph.ts'

// `fetch(new URL('./font.ttf', import.meta.url))`, the way Next.js's `ImageResponse` examples load
// a font: Next's bundler makes the file an asset that `fetch` answers, where Node's `fetch` refuses
// a `file:` URL ("not implemented"). Here the files a module of the route graph names that way,
// with a literal path, are noted as it loads, and only those are answered from disk: a `file:` URL
// a handler builds from a client's input (a proxy route) still fails, so no route can be made to
// read other files.
const ASSET_URL = /new\s+URL\(\s*(['"])([^'"\\\n]+)\1\s*,\s*import\.meta\.url\s*\)/g

/**
 * Records the files `source` (the module at `path`) names as `new URL('<literal>', import.meta.url)`,
 * and gives `source` back with each literal that names a file only through the tsconfig `paths` of
 * `folder` (`new URL('@/public/font.ttf', import.meta.url)`) written as that file's URL. Next's
 * bundler resolves such a literal as a module request that prefers the relative reading (webpack's
 * `preferRelative` for URL dependencies): relative first, then the aliases. Node alone would read
 * `app/api/og/@/public/font.ttf`.
 */
export function withAssetUrls(graph: RouteGraph, path: string, source: string, folder?: FolderConfig): string {
  if (!source.includes('import.meta.url')) return source
  const base = pathToFileURL(path)
  return source.replace(ASSET_URL, (call: string, quote: string, literal: string) => {
    const url = new URL(literal, base)
    if (url.protocol !== 'file:') return call
    const aliased = isRelative(literal) || existsSync(url) ? undefined : aliasedFile(literal, folder)
    graph.addAsset(aliased ?? url.href.replace(/[?#].*$/, ''))
    return aliased === undefined ? call : call.replace(`${quote}${literal}${quote}`, JSON.stringify(aliased))
  })
}

function isRelative(literal: string): boolean {
  return literal.startsWith('./') || literal.startsWith('../') || literal.startsWith('/') || literal.startsWith('file:')
}

// The file a tsconfig `paths` alias names, as a `file:` URL (assets name their extension).
function aliasedFile(literal: string, folder: FolderConfig | undefined): string | undefined {
  if (!folder?.paths || /[?#]/.test(literal)) return undefined
  const file = folder.paths(literal).find((candidate) => statSync(candidate, { throwIfNoEntry: false })?.isFile() ?? false)
  return file === undefined ? undefined : pathToFileURL(file).href
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
