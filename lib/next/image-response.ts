import { createRequire } from 'node:module'
import { join } from 'node:path'
import { routeHandlersError } from '../errors.ts'

/** What `new ImageResponse(element, options)` takes, as `@vercel/og` and `next/og` read it. */
export interface ImageResponseOptions extends ResponseInit {
  width?: number
  height?: number
  emoji?: 'twemoji' | 'blobmoji' | 'noto' | 'openmoji' | 'fluent' | 'fluentFlat'
  fonts?: { name: string; data: ArrayBuffer | Buffer; weight?: number; style?: 'normal' | 'italic'; lang?: string }[]
  debug?: boolean
}

type ImageResponseClass = new (element: unknown, options?: ImageResponseOptions) => Response

// Where the renderer is looked for, in order: the app's own packages, then this package's.
const LOOKUPS = [() => createRequire(join(process.cwd(), 'package.json')), () => createRequire(import.meta.url)]
// `next/og` first: the renderer the route's Next.js version ships.
const RENDERERS = ['next/og', '@vercel/og']

let renderer: ImageResponseClass | undefined

/**
 * `ImageResponse` from `next/server`, as route files written for Next.js 13.4 and 13.5 import it
 * (Next 14 and later keep the name, and throw "moved to next/og" when it is called). It renders
 * through `next/og` when `next` is installed, else `@vercel/og`; without either it throws
 * `RH_ERR_IMAGE_RESPONSE_MISSING`, with Next's message and what to install.
 */
export const ImageResponse = function ImageResponse(element: unknown, options?: ImageResponseOptions): Response {
  renderer ??= findRenderer()
  return new renderer(element, options)
} as unknown as ImageResponseClass

function findRenderer(): ImageResponseClass {
  for (const lookup of LOOKUPS) {
    for (const name of RENDERERS) {
      try {
        const found = (lookup()(name) as { ImageResponse?: ImageResponseClass }).ImageResponse
        if (typeof found === 'function') return found
      } catch {
        // Not installed where this lookup looks.
      }
    }
  }
  throw routeHandlersError('RH_ERR_IMAGE_RESPONSE_MISSING', [])
}
