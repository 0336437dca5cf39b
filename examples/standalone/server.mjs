// The core on its own: a route folder served by Node's http module, no framework.
import { fileURLToPath } from 'node:url'
import { serve } from 'route-handlers'
import { exitOnListenError } from '../listen-failed.cjs'

const port = Number(process.env.PORT ?? 3000)
const dir = fileURLToPath(new URL('./app', import.meta.url))
const server = await serve({ dir, port, hostname: '127.0.0.1' }).catch((error) => exitOnListenError(error, port, 'npm run start:standalone'))
const base = `http://127.0.0.1:${server.address().port}`

console.log(`route-handlers demo listening on ${base} (the PORT variable picks another port)\n\nOpen ${base}/ (app/route.ts) for this list as links, or try:`)
for (const path of ['/hello', '/items/widget?currency=USD', '/items/nothing', '/visits', '/old-hello']) {
  console.log(`  curl -i ${base}${path}`)
}
console.log(`  curl -i -X POST ${base}/echo -H 'content-type: application/json' -d '{"hello":"world"}'`)
console.log('\nCtrl+C to stop.')

// Shutting down: no new requests, then the route handlers' pending after() work.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => server.routes.close().then(() => process.exit(0))))
