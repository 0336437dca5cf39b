// Scaling rows: 10 / 1,000 / 5,000 generated route files (`app/api/r<i>/[id]/route.js`, GET and
// POST, as real apps' resources), served by each adapter and by the same number of native routes.
// For each: start-up ms against the floor (a plain `import()` of the same files), RSS after
// start-up (after a forced GC), µs of server CPU per request (the server's /proc/<pid>/stat before
// and after a fixed-length wrk run, divided by the requests), and Fastify's router entries.
//
// Each count is measured in rounds, each round in fresh processes, and the ratios are taken per
// round, as the request rows do: the start-up ratio against the floor measured in the same round,
// and the CPU ratio against the same host and variant at the smallest count, both servers loaded at
// the same time on one core (the ratio of their rates is that of their cost per request, and
// whatever else the machine does falls on both alike). One server after the other, single runs put
// Express at 5,000 files at 1.38× the CPU of 10 files, and Fastify at 0.98× then 0.84× minutes apart.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { cpuMs, startServer } from './_server.mjs'
import { median } from './_stats.mjs'
import { atOnce } from './requests.mjs'
import { runWrk } from './_wrk.mjs'

const SERVER = fileURLToPath(new URL('./scale-server.mjs', import.meta.url))
const distServer = fileURLToPath(new URL('../dist/lib/next/server.js', import.meta.url))

const routeSource = (index) => `import { NextResponse } from 'next/server'

export async function GET(request, { params }) {
  const { id } = await params
  return NextResponse.json({ resource: 'r${index}', id })
}

export async function POST(request, { params }) {
  const { id } = await params
  return NextResponse.json({ ...(await request.json()), resource: 'r${index}', id })
}
`

/** An all-JavaScript ESM project of `count` route files, with a stub `next` so plain import() works. */
function generateProject(root, count) {
  const next = join(root, 'node_modules', 'next')
  mkdirSync(next, { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'scaling-bench-app', private: true, type: 'module' }))
  writeFileSync(join(next, 'package.json'), JSON.stringify({ name: 'next', type: 'module', exports: { './server': './server.js' } }))
  writeFileSync(join(next, 'server.js'), `export * from ${JSON.stringify(pathToFileURL(distServer).href)}\n`)
  const files = []
  for (let index = 0; index < count; index++) {
    const folder = join(root, 'app', 'api', `r${index}`, '[id]')
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'route.js'), routeSource(index))
    files.push(`api/r${index}/[id]/route.js`)
  }
  writeFileSync(join(root, 'files.json'), JSON.stringify(files))
}

const startScaleServer = (host, variant, project, count) => startServer(SERVER, [host, variant, project, String(count)], { nodeArgs: ['--expose-gc'] })
const pathFor = (count) => `/api/r${count >> 1}/42`

/** CPU per request of a server loaded alone over a `seconds` wrk run (the smallest count). */
async function cpuAlone(server, count, seconds) {
  const path = pathFor(count)
  await runWrk({ port: server.port, path, seconds: 1 })
  const before = cpuMs(server.pid)
  const { requests, rps } = await runWrk({ port: server.port, path, seconds })
  return { rps, cpuUs: ((cpuMs(server.pid) - before) * 1000) / requests }
}

/**
 * `server` (at `count` files) and `base` (the same host and variant at `baseCount`) loaded at the
 * same time, a wrk each, for `seconds`; `cpuRatio` is base's rate over server's, the cost per
 * request of `count` files in units of `baseCount`'s. The wrk started first comes out about 2 %
 * ahead: `serverFirst` alternates by round.
 */
async function cpuTogether(base, baseCount, server, count, seconds, serverFirst) {
  const loadBase = (runSeconds) => runWrk({ port: base.port, path: pathFor(baseCount), seconds: runSeconds })
  const loadServer = (runSeconds) => runWrk({ port: server.port, path: pathFor(count), seconds: runSeconds })
  await atOnce(loadBase, loadServer, 1, serverFirst)
  const before = cpuMs(server.pid)
  const [baseRun, serverRun] = await atOnce(loadBase, loadServer, seconds, serverFirst)
  return { rps: serverRun.rps, cpuUs: ((cpuMs(server.pid) - before) * 1000) / serverRun.requests, cpuRatio: baseRun.rps / serverRun.rps }
}

async function importFloor(project, count) {
  const floor = await startServer(SERVER, ['import', 'native', project, String(count)], { nodeArgs: ['--expose-gc'] })
  await floor.stop()
  return floor
}

/**
 * Rows per count, host and variant (native, route files), each from `rounds` rounds: medians, and
 * the per-round start-up ratios (`startupRatios`) and CPU ratios against the smallest count
 * (`cpuRatios`, empty at the smallest count).
 */
export async function scalingRows({ counts, seconds, rounds, onRow }) {
  const work = mkdtempSync(join(tmpdir(), 'route-handlers-scaling-'))
  const smallest = Math.min(...counts)
  const projectOf = (count) => join(work, `app-${count}`)
  const rows = []
  try {
    for (const count of new Set([smallest, ...counts])) generateProject(projectOf(count), count)
    for (const count of counts) {
      const project = projectOf(count)
      const samples = new Map()
      const sampleOf = (host, variant) => {
        const key = `${host} ${variant}`
        if (!samples.has(key)) samples.set(key, { host, variant, importMs: [], startupMs: [], startupRatios: [], rssMb: [], rps: [], cpuUs: [], cpuRatios: [] })
        return samples.get(key)
      }
      for (let round = 0; round < rounds; round++) {
        const floor = await importFloor(project, count)
        for (const host of ['fastify', 'express']) {
          for (const variant of round % 2 === 0 ? ['native', 'routes'] : ['routes', 'native']) {
            const sample = sampleOf(host, variant)
            const server = await startScaleServer(host, variant, project, count)
            try {
              sample.importMs.push(floor.startupMs)
              sample.startupMs.push(server.startupMs)
              sample.startupRatios.push(server.startupMs / floor.startupMs)
              sample.rssMb.push(server.rssMb)
              sample.entries = server.entries
              sample.fallbackEntries = server.fallbackEntries
              let measured
              if (count === smallest) {
                measured = await cpuAlone(server, count, seconds)
              } else {
                const base = await startScaleServer(host, variant, projectOf(smallest), smallest)
                try {
                  measured = await cpuTogether(base, smallest, server, count, seconds, round % 2 === 1)
                } finally {
                  await base.stop()
                }
                sample.cpuRatios.push(measured.cpuRatio)
              }
              sample.rps.push(measured.rps)
              sample.cpuUs.push(measured.cpuUs)
            } finally {
              await server.stop()
            }
          }
        }
      }
      for (const sample of samples.values()) {
        const row = {
          count,
          host: sample.host,
          variant: sample.variant,
          importMs: median(sample.importMs),
          startupMs: median(sample.startupMs),
          startupRatios: sample.startupRatios,
          rssMb: median(sample.rssMb),
          rps: median(sample.rps),
          cpuUs: median(sample.cpuUs),
          cpuRatios: sample.cpuRatios,
          entries: sample.entries,
          fallbackEntries: sample.fallbackEntries,
        }
        rows.push(row)
        onRow(row)
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return rows
}
