// Request-rate rows: each endpoint as a route file against the same endpoint written natively, the
// two servers loaded at the same time on one core (see simultaneousRounds); the ratio is taken per
// round, then its median and min–max reported. The ceiling row measures each server alone.
import { fileURLToPath } from 'node:url'
import { startServer } from './_server.mjs'
import { median } from './_stats.mjs'
import { postScript, runWrk } from './_wrk.mjs'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

const echoBody = JSON.stringify({
  payload: JSON.stringify({ items: Array.from({ length: 16 }, (_, index) => ({ id: index, name: `item number ${index}`, tags: ['a', 'b'] })) })
    .slice(0, 1000)
    .replace(/"/g, "'"),
})

/**
 * Seconds of load each pair of servers gets before its measured runs (BENCH_WARM_SECONDS, default
 * 4): out of the rounds go V8's tiering up and connection set-up. A fresh route-file server at
 * half a core is still speeding up relative to native through its first ~4 s (its ratio rose from
 * 0.5–0.8 in the first 2 s to 0.7–0.9 in the next 2 and then held, bench/RESULTS.md "Warm-up"),
 * where a 1 s warm-up measured part of that climb.
 */
export const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 4)

/** Endpoints with the targets (route files / native, per host). */
export const SCENARIOS = [
  { name: 'GET /hello', path: '/hello', target: { fastify: 0.9, express: 1.0 } },
  { name: 'GET /items/:slug?q=1', path: '/items/widget?q=1', target: { fastify: 0.9, express: 1.0 } },
  { name: 'POST /echo (1 KB JSON)', path: '/echo', post: echoBody, target: { fastify: 0.9, express: 1.0 } },
  // The same handler with undici's own Response.json(); native answers the same JSON.
  { name: 'GET /hello (Response.json)', path: '/hello-response', target: { fastify: 0.8, express: 1.0 } },
]

/**
 * Measures `a` against `b` on one path in `rounds` rounds; ratio = b / a per round. A round is four
 * wrk runs of `seconds`, a, b, b, a: load from other processes that rises or falls through the
 * round weighs on both alike (in a, b order it would fall on one of them), and the ratio is that of
 * the requests each served in its two runs.
 */
export async function pairedRounds(a, b, { path, bPath = path, script, seconds, rounds }) {
  // Warm-up: JIT and connection set-up out of the measured rounds.
  await runWrk({ port: a.port, path, script, seconds: WARM_SECONDS })
  await runWrk({ port: b.port, path: bPath, script, seconds: WARM_SECONDS })
  const runA = () => runWrk({ port: a.port, path, script, seconds })
  const runB = () => runWrk({ port: b.port, path: bPath, script, seconds })
  const results = { a: [], b: [], ratios: [] }
  for (let round = 0; round < rounds; round++) {
    const firstA = await runA()
    const firstB = await runB()
    const secondB = await runB()
    const secondA = await runA()
    const aRps = (firstA.rps + secondA.rps) / 2
    const bRps = (firstB.rps + secondB.rps) / 2
    results.a.push(aRps)
    results.b.push(bRps)
    results.ratios.push(bRps / aRps)
  }
  return { aRps: median(results.a), bRps: median(results.b), ratios: results.ratios }
}

/**
 * Measures `a` against `b` on one path in `rounds` rounds, both at once: the two servers share one
 * core and a wrk each loads them for `seconds`, so the scheduler gives each the same CPU time and
 * the ratio of their rates is that of their cost per request. Whatever else the machine does at
 * that moment (on this class of shared machine one server's rate moves 2.5× between two runs a
 * few seconds apart) falls on both alike: two copies of native Fastify measured this way come out
 * within 0.97–1.04× of each other. ratio = b / a per round; the rates are those of a shared core.
 */
export async function simultaneousRounds(a, b, { path, bPath = path, script, seconds, rounds, bFirst = false }) {
  const runA = (runSeconds) => runWrk({ port: a.port, path, script, seconds: runSeconds })
  const runB = (runSeconds) => runWrk({ port: b.port, path: bPath, script, seconds: runSeconds })
  // Warm-up: JIT and connection set-up out of the measured rounds.
  await atOnce(runA, runB, WARM_SECONDS, false)
  const results = { a: [], b: [], ratios: [] }
  for (let round = 0; round < rounds; round++) {
    const [first, second] = await atOnce(runA, runB, seconds, bFirst !== (round % 2 === 1))
    results.a.push(first.rps)
    results.b.push(second.rps)
    results.ratios.push(second.rps / first.rps)
  }
  return { aRps: median(results.a), bRps: median(results.b), ratios: results.ratios }
}

/**
 * Runs `runA` and `runB` for `seconds` at the same time; resolves [a's run, b's run] whichever
 * started first. The server whose wrk starts first comes out ahead (two copies of one server: about
 * 2 %), so callers alternate `bStartsFirst` from round to round.
 */
export async function atOnce(runA, runB, seconds, bStartsFirst) {
  if (!bStartsFirst) return Promise.all([runA(seconds), runB(seconds)])
  const [bRun, aRun] = await Promise.all([runB(seconds), runA(seconds)])
  return [aRun, bRun]
}

/** The load generator's ceiling: a bare node:http server against native Fastify, GET /hello. */
export async function ceilingRow({ seconds, rounds }) {
  const bare = await startServer(SERVER, ['node', 'native'])
  const fastify = await startServer(SERVER, ['fastify', 'native'])
  try {
    const result = await pairedRounds(bare, fastify, { path: '/hello', seconds, rounds })
    return { nodeRps: result.aRps, fastifyRps: result.bRps, ratios: result.ratios }
  } finally {
    await Promise.all([bare.stop(), fastify.stop()])
  }
}

/**
 * One row per host and scenario. `onRow` sees each once its rounds are done. Each round runs in a
 * fresh pair of processes: the same server code in two processes differs by a few percent (where
 * V8 and the allocator happened to place things), and one pair for every round would carry that
 * draw into every ratio; a new pair per round makes it one more spread the median absorbs.
 */
export async function requestRows({ seconds, rounds, onRow }) {
  const rows = []
  for (const host of ['fastify', 'express']) {
    const measured = SCENARIOS.map(() => ({ a: [], b: [], ratios: [] }))
    for (let round = 0; round < rounds; round++) {
      // Started and loaded in alternating order (see simultaneousRounds).
      const routesFirst = round % 2 === 1
      const servers = {}
      try {
        for (const variant of routesFirst ? ['routes', 'native'] : ['native', 'routes']) servers[variant] = await startServer(SERVER, [host, variant])
        for (const [index, scenario] of SCENARIOS.entries()) {
          const script = scenario.post === undefined ? undefined : postScript(scenario.post, { 'Content-Type': 'application/json' })
          const result = await simultaneousRounds(servers.native, servers.routes, { path: scenario.path, script, seconds, rounds: 1, bFirst: routesFirst })
          measured[index].a.push(result.aRps)
          measured[index].b.push(result.bRps)
          measured[index].ratios.push(...result.ratios)
        }
      } finally {
        await Promise.all(Object.values(servers).map((server) => server.stop()))
      }
    }
    for (const [index, scenario] of SCENARIOS.entries()) {
      const { a, b, ratios } = measured[index]
      const row = { host, scenario: scenario.name, nativeRps: median(a), routesRps: median(b), ratios, target: scenario.target[host] }
      rows.push(row)
      onRow(row)
    }
  }
  return rows
}
