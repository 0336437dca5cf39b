/// <reference path="./route-context.d.ts" />
/**
 * Types for route files that import from Next.js when `next` is not installed: reference this file
 * (`"types": ["route-handlers/next-types"]` in tsconfig, or
 * `/// <reference types="route-handlers/next-types" />`) and `next/server`, `next/headers`,
 * `next/navigation` and `next/cache` type-check as this package's implementations, which is what they run as,
 * Next 15.5's global `RouteContext<'/items/[slug]'>` exists (see route-context.d.ts), and so does fetch's
 * `next` option.
 */
// Next.js's globals for `fetch(url, { next: { revalidate, tags } })` (next/types/global.d.ts), which
// route files and their data layers use without importing anything.
interface NextFetchRequestConfig {
  revalidate?: number | false
  tags?: string[]
}

interface RequestInit {
  next?: NextFetchRequestConfig | undefined
}

declare module 'next/server' {
  export * from 'route-handlers/server'
}

declare module 'next/headers' {
  export * from 'route-handlers/headers'
}

declare module 'next/navigation' {
  export * from 'route-handlers/navigation'
}

declare module 'next/cache' {
  export * from 'route-handlers/cache'
}

// The same modules named with `.js`, as Next's own generated types import them
// (`.next/types/validator.ts` imports 'next/server.js'): otherwise, with `next` installed beside
// this package, those files would see Next's `NextRequest` and every handler typed with this
// package's would fail their check.
declare module 'next/server.js' {
  export * from 'route-handlers/server'
}

declare module 'next/headers.js' {
  export * from 'route-handlers/headers'
}

declare module 'next/navigation.js' {
  export * from 'route-handlers/navigation'
}

declare module 'next/cache.js' {
  export * from 'route-handlers/cache'
}
