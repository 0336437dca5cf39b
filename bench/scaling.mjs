// Scaling rows: 10 / 1,000 / 5,000 generated route files (`app/api/r<i>/[id]/route.js`, GET and
// POST, as real apps' resources), served by each adapter and by the same number of native routes.
// For each: start-up ms, RSS after start-up (after a forced GC), µs of server CPU per request (the
// server's /proc/<pid>/stat before and after a fixed-length wrk run, divided by the requests), and
// Fastify's router entries. The floor for start-up is a plain `import()` of the same files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { cpuMs, startServer } from './_server.mjs'
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

/** One server: start-up, RSS, then CPU per request over a `seconds` wrk run. */
async function measureServer(host, variant, project, count, seconds) {
  const server = await startServer(SERVER, [host, variant, project, String(count)], { nodeArgs: ['--expose-gc'] })
  try {
    const path = `/api/r${count >> 1}/42`
    await runWrk({ port: server.port, path, seconds: 1 })
    const before = cpuMs(server.pid)
    const { requests, rps } = await runWrk({ port: server.port, path, seconds })
    return { startupMs: server.startupMs, rssMb: server.rssMb, entries: server.entries, fallbackEntries: server.fallbackEntries, rps, cpuUs: ((cpuMs(server.pid) - before) * 1000) / requests }
  } finally {
    await server.stop()
  }
}

async function importFloor(project, count) {
  const floor = await startServer(SERVER, ['import', 'native', project, String(count)], { nodeArgs: ['--expose-gc'] })
  await floor.stop()
  return floor
}

/** Rows per count: the import() floor, then native and route files on each host. */
export async function scalingRows({ counts, seconds, onRow }) {
  const work = mkdtempSync(join(tmpdir(), 'route-handlers-scaling-'))
  const rows = []
  try {
    for (const count of counts) {
      const project = join(work, `app-${count}`)
      generateProject(project, count)
      const floor = await importFloor(project, count)
      for (const host of ['fastify', 'express']) {
        for (const variant of ['native', 'routes']) {
          const row = { count, host, variant, importMs: floor.startupMs, ...(await measureServer(host, variant, project, count, seconds)) }
          rows.push(row)
          onRow(row)
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return rows
}
