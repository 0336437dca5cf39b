/**
 * `server-only` as Next.js resolves it on the server (the `react-server` condition): an empty
 * module, so `import 'server-only'` in a route's dependencies loads.
 */
export {}
