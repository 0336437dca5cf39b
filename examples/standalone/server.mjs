// The core on its own: a route folder served by Node's http module, no framework.
import { fileURLToPath } from 'node:url'
import { serve } from 'route-handlers'

const port = Number(process.env.PORT ?? 3000)
const server = await serve({ dir: fileURLToPath(new URL('./app', import.meta.url)), port, hostname: '127.0.0.1' })
const base = `http://127.0.0.1:${server.address().port}`

console.log(`route-handlers demo listening on ${base}\n\nTry:`)
for (const path of ['/hello', '/items/widget?currency=USD', '/items/nothing', '/visits', '/old-hello']) {
  console.log(`  curl -i ${base}${path}`)
}
console.log(`  curl -i -X POST ${base}/echo -H 'content-type: application/json' -d '{"hello":"world"}'`)
console.log('\nCtrl+C to stop.')

process.once('SIGINT', () => server.close(() => process.exit(0)))
process.once('SIGTERM', () => server.close(() => process.exit(0)))
