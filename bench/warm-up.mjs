// How long a fresh pair of servers takes to reach its steady ratio:
// `node bench/warm-up.mjs [fastify|express] [path] [pairs] [steps]` starts native and route-file
// servers as `npm run bench` does (CPU 0, a wrk each on CPU 1, both loaded at once) and prints, for
// each fresh pair, the route files' rate over native's in consecutive 2 s steps from the first
// request on. What it shows decides BENCH_WARM_SECONDS (see bench/requests.mjs).
import { fileURLToPath } from 'node:url'
import { startServer } from './_server.mjs'
import { atOnce } from './requests.mjs'
import { requireTools, runWrk } from './_wrk.mjs'

const [host = 'fastify', path = '/items/widget?q=1', pairs = '4', steps = '6'] = process.argv.slice(2)
const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))
const STEP_SECONDS = 2

requireTools()
for (let pair = 0; pair < Number(pairs); pair++) {
  const native = await startServer(SERVER, [host, 'native'])
  const routes = await startServer(SERVER, [host, 'routes'])
  const ratios = []
  try {
    for (let step = 0; step < Number(steps); step++) {
      // Which wrk starts first alternates, as in the bench's rounds.
      const [a, b] = await atOnce(
        (seconds) => runWrk({ port: native.port, path, seconds }),
        (seconds) => runWrk({ port: routes.port, path, seconds }),
        STEP_SECONDS,
        step % 2 === 1,
      )
      ratios.push((b.rps / a.rps).toFixed(2))
    }
  } finally {
    await Promise.all([native.stop(), routes.stop()])
  }
  console.log(`pair ${pair + 1}: ${ratios.join('  ')}`)
}
