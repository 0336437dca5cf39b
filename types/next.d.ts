/// <reference path="./route-context.d.ts" />
/**
 * Types for route files that import from Next.js when `next` is not installed: reference this file
 * (`"types": ["route-handlers/next-types"]` in tsconfig, or
 * `/// <reference types="route-handlers/next-types" />`) and `next/server`, `next/headers`,
 * `next/navigation` and `next/cache` type-check as this package's implementations, which is what they run as, and
 * Next 15.5's global `RouteContext<'/items/[slug]'>` exists (see route-context.d.ts).
 */
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
