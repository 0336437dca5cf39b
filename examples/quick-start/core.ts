import { createRouteHandlers, serve } from 'route-handlers'

// As a fetch-style handler (any server that speaks Web Request/Response):
const routes = createRouteHandlers({ dir: './app', basePath: '/api' })
const response = await routes.handle(new Request('http://localhost/api/items/widget?q=1'))
// → a Response, or null when no route file matches (so a host can fall through)

// Or on its own, on Node's http module:
await serve({ dir: './app', port: 3000 }) // 127.0.0.1 unless `hostname` says otherwise
