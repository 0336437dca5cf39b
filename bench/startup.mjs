// `npm run bench:startup` (or `node bench/startup.mjs` after `npm run build`): how long a route
// folder of 1,000 and 5,000 files takes to load, in a fresh process per measurement.
//
// It generates a project modelled on a real Next.js app in a temp dir (removed at the end): ~60 %
// route.ts (a third under [slug]), 15 % route.js written as ESM in a package without "type", 10 %
// route.mjs, 10 % route.mts, 5 % route.cjs; every route imports `next/server` and a shared
// ../lib/db.js. For each host (the core's ready(), Express middleware's ready(), Fastify's
// register() + ready()) and each count it spawns a child that times from just before importing
// the package to every route being loaded, then reports CPU time, RSS after a forced gc and how
// many times lib/db.js was evaluated (1 = one module graph). TypeScript folders are measured with
// the transform cache cold (emptied) and warm. Baseline rows: an all-JS copy
// of the folder (.ts → .js, .mts → .mjs) imported with plain `import()`, one file after another,
// and loaded by the core: the plain import() row is the floor each row is compared with (its last
// two columns). The defaults (N = 1,000 and 5,000, 3 runs) take ~10 min on an idle 2-core
// machine, twice that on a busy one.
//
// Flags: --counts 1000,5000  --runs 3  --hosts core,express,fastify
//        --paths   a quarter of the TS routes import `@/lib/db` through tsconfig `paths`. Off by
//                  default: before the one-module-graph loader (9ed8146) these resolve only when
//                  the working directory holds the tsconfig.json (tsx reads the cwd's), as here
//        --write "<section title>"   also replace (or add) that `## ` section in bench/RESULTS.md
//        --against <checkout>   also measure another built checkout of this package (say a
//                  `git worktree` of the commit before a change), run for run in alternation, so
//                  load from other processes on the machine hits both alike
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const self = fileURLToPath(import.meta.url)
const packageRoot = join(dirname(self), '..')

// ---------- child: one measurement, reported as one JSON line ----------

if (process.argv[2] === '--child') {
  const [, , , host, project, root] = process.argv
  const result = await measure(host, project, root)
  process.stdout.write(`@@startup ${JSON.stringify(result)}\n`)
  process.exit(0)
}

async function measure(host, project, root) {
  const entry = (path) => pathToFileURL(join(root, 'dist', path)).href
  const dir = join(project, 'app')
  const samples = JSON.parse(readFileSync(join(project, 'samples.json'), 'utf8'))
  const warnings = []
  const logger = { warn: (...args) => warnings.push(args.join(' ')), error: (...args) => warnings.push(args.join(' ')) }
  // The host frameworks load before the clock starts: their own import is not ours to count.
  const Express = host === 'express' ? (await import('express')).default : undefined
  const Fastify = host === 'fastify' ? (await import('fastify')).default : undefined

  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let check
  if (host === 'import') {
    const files = JSON.parse(readFileSync(join(project, 'files.json'), 'utf8'))
    const modules = []
    for (const file of files) modules.push(await import(pathToFileURL(join(dir, file)).href))
    check = async () => modules.every((module) => typeof (module.GET ?? module.default?.GET) === 'function')
  } else if (host === 'core') {
    const { createRouteHandlers } = await import(entry('lib/index.js'))
    const routes = await createRouteHandlers({ dir, logger }).ready()
    check = async () => {
      for (const path of samples) if ((await routes.handle(new Request(`http://localhost${path}`)))?.status !== 200) return false
      return true
    }
  } else if (host === 'express') {
    const { routeHandlers } = await import(entry('adapters/express.js'))
    const app = Express()
    const middleware = routeHandlers({ dir, logger })
    app.use(middleware)
    await middleware.ready()
    check = async () => {
      const server = app.listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      try {
        for (const path of samples) if ((await fetch(`http://127.0.0.1:${server.address().port}${path}`)).status !== 200) return false
        return true
      } finally {
        server.closeAllConnections()
        server.close()
      }
    }
  } else if (host === 'fastify') {
    const { routeHandlersPlugin } = await import(entry('adapters/fastify.js'))
    // Fastify fails a plugin that takes over 10 s (its default pluginTimeout); a large folder may.
    const app = Fastify({ pluginTimeout: 0 })
    await app.register(routeHandlersPlugin, { dir, logger })
    await app.ready()
    check = async () => {
      for (const url of samples) if ((await app.inject({ url })).statusCode !== 200) return false
      return true
    }
  } else throw new Error(`unknown host ${host}`)
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const childCpuMs = childProcessesCpuMs()
  globalThis.gc?.()
  const rssMb = process.memoryUsage.rss() / 1024 ** 2
  const ok = await check()
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, childCpuMs, rssMb, dbEvaluations: globalThis.__benchDbEvaluations ?? 0, ok, warnings: warnings.slice(0, 3) }
}

/** CPU time of this process's live child processes (the esbuild service runs as one). */
function childProcessesCpuMs() {
  if (!existsSync('/proc/self/task')) return null // not Linux
  let ticks = 0
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
      let stat
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue // exited meanwhile
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // after "pid (command) "
      ticks += Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15 of stat)
    }
  }
  return ticks * (1000 / clockTicks())
}

function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100
  } catch {
    return 100
  }
}

// ---------- parent: generate, run, summarize ----------

const { values: flags } = parseArgs({
  options: {
    counts: { type: 'string', default: '1000,5000' },
    runs: { type: 'string', default: '3' },
    hosts: { type: 'string', default: 'core,express,fastify' },
    paths: { type: 'boolean', default: false },
    write: { type: 'string' },
    against: { type: 'string' },
  },
})
const counts = flags.counts.split(',').map(Number)
const runs = Number(flags.runs)
const hosts = flags.hosts.split(',')
const distDir = join(packageRoot, 'dist')
const commitOf = (root) => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
  } catch {
    return root
  }
}
const builds = [packageRoot, ...(flags.against ? [resolve(flags.against)] : [])].map((root, index) => ({ root, label: `${commitOf(root)}${index === 0 && flags.against ? ' (this)' : ''}` }))
for (const { root } of builds) {
  if (!existsSync(join(root, 'dist', 'lib', 'index.js'))) throw new Error(`${join(root, 'dist')} is missing: run \`npm run build\` there first (or \`npm run bench:startup\`)`)
}

// Where transform caches live, relative to the child's os.tmpdir(): tsx 4 (the loader up to
// 9ed8146) keeps compiled files in tmpdir()/tsx-<euid>; the loader after it in
// ROUTE_HANDLERS_CACHE_DIR, which runChild points here. Each child gets a TMPDIR of its own, so
// emptying them ("cold") never touches the caches of other processes on the machine.
const uid = process.geteuid?.() ?? 'user'
const TRANSFORM_CACHES = [`tsx-${uid}`, 'route-handlers-cache', `route-handlers-cache-${uid}`]

const EXTENSIONS = ['ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'ts', 'js', 'js', 'js', 'mjs', 'mjs', 'mts', 'mts', 'cjs']

function routeSource({ ext, dynamic, db, index }) {
  const ts = ext === 'ts' || ext === 'mts'
  const t = (annotation) => (ts ? annotation : '')
  const context = dynamic ? `, { params }${t(': { params: Promise<{ slug: string }> }')}` : ''
  const slug = dynamic ? '\n  const { slug } = await params' : '\n  const slug = null'
  const body = `
${ts ? `interface Item {\n  id: string\n  route: number\n  slug: string | null\n  q: string | null\n  tags: string[]\n}\n` : ''}
const ROUTE = ${index}

function validate(input${t(': unknown')})${t(': input is Partial<Item>')} {
  if (typeof input !== 'object' || input === null) return false
  const { id, tags } = input${t(' as Record<string, unknown>')}
  return (id === undefined || typeof id === 'string') && (tags === undefined || Array.isArray(tags))
}

async function GET(request${t(': NextRequest')}${context}) {${slug}
  const item${t(': Item')} = { id: db.id, route: ROUTE, slug, q: request.nextUrl.searchParams.get('q'), tags: [] }
  return NextResponse.json(item, { headers: { 'cache-control': 'no-store' } })
}

async function POST(request${t(': NextRequest')}${context}) {${slug}
  const input${t(': unknown')} = await request.json().catch(() => null)
  if (!validate(input)) return NextResponse.json({ error: 'invalid body' }, { status: 400 })
  db.rows.set(String(ROUTE), { ...input, slug })
  return NextResponse.json({ ...input, route: ROUTE, slug }, { status: 201 })
}
`
  if (ext === 'cjs') {
    const exportLine = index % 2 ? 'module.exports = { GET, POST }' : 'exports.GET = GET\nexports.POST = POST'
    return `const { NextResponse } = require('next/server')\nconst { db } = require('${db}')\n${body}\n${exportLine}\n`
  }
  const typeImport = ts ? ', type NextRequest' : ''
  return `import { NextResponse${typeImport} } from 'next/server'\nimport { db } from '${db}'\n${body.replace(/\nasync function (GET|POST)/g, '\nexport async function $1')}`
}

/**
 * Writes a project of `count` route files under `root`: app/, lib/db.js, package.json without
 * "type", tsconfig.json with Next's `@/*` path. `allJs`: .ts → .js and .mts → .mjs (types
 * stripped), plus a stub `next` package so plain `import()` resolves `next/server`.
 */
function generateProject(root, count, { allJs }) {
  mkdirSync(join(root, 'lib'), { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'startup-bench-app', private: true }, null, 2))
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'esnext', moduleResolution: 'bundler', strict: true, skipLibCheck: true, paths: { '@/*': ['./*'] } } }, null, 2),
  )
  writeFileSync(
    join(root, 'lib', 'db.js'),
    '// Counts its evaluations: more than one means route files see different module graphs.\nglobalThis.__benchDbEvaluations = (globalThis.__benchDbEvaluations ?? 0) + 1\nexport const db = { id: "db", rows: new Map() }\n',
  )
  if (allJs) {
    const next = join(root, 'node_modules', 'next')
    mkdirSync(next, { recursive: true })
    writeFileSync(join(next, 'package.json'), JSON.stringify({ name: 'next', type: 'module', exports: { './server': './server.js' } }))
    writeFileSync(join(next, 'server.js'), `export * from ${JSON.stringify(pathToFileURL(join(distDir, 'lib', 'next', 'server.js')).href)}\n`)
  }
  const files = []
  const samples = {}
  for (let index = 0; index < count; index++) {
    let ext = EXTENSIONS[index % EXTENSIONS.length]
    if (allJs) ext = { ts: 'js', mts: 'mjs' }[ext] ?? ext
    const dynamic = index % 3 === 0
    const section = `s${index % 40}`
    const segments = ['api', section, `r${index}`, ...(index % 5 === 1 ? ['items'] : []), ...(dynamic ? ['[slug]'] : [])]
    const folder = join(root, 'app', ...segments)
    mkdirSync(folder, { recursive: true })
    const toDb = relative(folder, join(root, 'lib', 'db.js')).split(sep).join('/')
    const db = flags.paths && !allJs && (ext === 'ts' || ext === 'mts') && index % 4 === 0 ? '@/lib/db' : toDb
    writeFileSync(join(folder, `route.${ext}`), routeSource({ ext, dynamic, db, index }))
    files.push([...segments, `route.${ext}`].join('/'))
    const url = `/${segments.map((segment) => (segment === '[slug]' ? 'widget' : segment)).join('/')}?q=1`
    samples[`${ext}${dynamic ? '-dynamic' : ''}`] ??= url
  }
  writeFileSync(join(root, 'files.json'), JSON.stringify(files))
  writeFileSync(join(root, 'samples.json'), JSON.stringify(Object.values(samples)))
}

function runChild(host, project, tmp, root) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', self, '--child', host, project, root], {
      cwd: project, // as an app would run: tsx reads the tsconfig.json of the working directory
      // The loader's own cache would otherwise go to the project's node_modules/.cache.
      env: { ...process.env, TMPDIR: tmp, ROUTE_HANDLERS_CACHE_DIR: join(tmp, 'route-handlers-cache'), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (data) => (stdout += data))
    child.stderr.on('data', (data) => (stderr += data))
    const timer = setTimeout(() => child.kill(), 300_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find((text) => text.startsWith('@@startup '))
      if (code !== 0 || !line) return reject(new Error(`${host} on ${project} exited ${code}:\n${stderr.slice(-2000)}`))
      const result = JSON.parse(line.slice('@@startup '.length))
      if (!result.ok) return reject(new Error(`${host} on ${project}: a sample route did not answer 200 ${JSON.stringify(result.warnings)}`))
      resolve(result)
    })
  })
}

/**
 * A row against the floor, the plain `import()` row of the same N (issue 13: start-up within 2× of
 * it): medians of CPU (this process and esbuild's) and of wall time, as "CPU | wall".
 */
function floorRatios(row, rows) {
  const floor = rows.find((cell) => cell.host === 'import' && cell.count === row.count)
  if (!floor || row === floor) return '1.00× | 1.00×'
  const cpu = (cell) => median(cell.results.map((result) => result.cpuMs + (result.childCpuMs ?? 0)))
  const wall = (cell) => median(cell.results.map((result) => result.wallMs))
  return `${(cpu(row) / cpu(floor)).toFixed(2)}× | ${(wall(row) / wall(floor)).toFixed(2)}×`
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const spread = (values, digits = 0) =>
  values.length === 1 ? values[0].toFixed(digits) : `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`

const work = mkdtempSync(join(tmpdir(), 'route-handlers-startup-'))
const started = Date.now()
const loadAtStart = loadavg()[0]
const rows = []
try {
  for (const count of counts) {
    const mixed = join(work, `mixed-${count}`)
    const allJs = join(work, `js-${count}`)
    generateProject(mixed, count, { allJs: false })
    generateProject(allJs, count, { allJs: true })
    // One TMPDIR per build, so one build's cold run does not empty the other's warm cache.
    const tmpOf = (build) => join(work, `tmp-${count}-${builds.indexOf(build)}`)
    builds.forEach((build) => mkdirSync(tmpOf(build)))
    const emptyCaches = (build) => TRANSFORM_CACHES.forEach((name) => rmSync(join(tmpOf(build), name), { recursive: true, force: true }))
    const cells = [
      { folder: 'all JS', project: allJs, host: 'import', cache: '—' },
      // Cold too: a loader may compile JS files (ESM syntax in a package without "type").
      { folder: 'all JS', project: allJs, host: 'core', cache: 'cold' },
      ...hosts.flatMap((host) => [
        { folder: 'mixed', project: mixed, host, cache: 'cold' },
        { folder: 'mixed', project: mixed, host, cache: 'warm' },
      ]),
    ]
      // Plain import() does not use the package: measured once, not per build.
      .flatMap((cell) => (cell.host === 'import' ? [builds[0]] : builds).map((build) => ({ ...cell, build, count, results: [] })))
    // Runs interleave the cells, so drift on a shared machine hits every cell alike. A cold cell
    // empties the cache; the warm cell right after it finds the cache that run filled.
    for (let run = 0; run < runs; run++) {
      for (const cell of cells) {
        if (cell.cache === 'cold') emptyCaches(cell.build)
        const result = await runChild(cell.host, cell.project, tmpOf(cell.build), cell.build.root)
        cell.results.push(result)
        console.error(
          `N=${count} ${cell.folder.padEnd(6)} ${cell.host.padEnd(7)} ${cell.cache.padEnd(4)}${flags.against ? ` ${cell.build.label}` : ''} run ${run + 1}: ${result.wallMs.toFixed(0)} ms wall, ${result.cpuMs.toFixed(0)} ms CPU, +${(result.childCpuMs ?? 0).toFixed(0)} ms child CPU, ${result.rssMb.toFixed(0)} MB RSS, lib/db.js evaluated ${result.dbEvaluations}×`,
        )
      }
    }
    rows.push(...cells)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end`
const slowFastify = rows
  .filter((row) => row.host === 'fastify' && row.results.some((result) => result.wallMs > 10_000))
  .map((row) => row.count)
  .filter((count, index, all) => all.indexOf(count) === index)
  .join(' and ')
const fastifyNote = slowFastify ? `; with its default of 10 s, the runs above 10 s here (N = ${slowFastify}) fail \`register()\` with AVV_ERR_PLUGIN_EXEC_TIMEOUT` : ''
const hostName = { import: 'plain `import()` of each file', core: 'core `ready()`', express: 'Express `ready()`', fastify: 'Fastify `register` + `ready()`' }
const section = [
  `Run ${new Date(started).toISOString()} at commit ${builds.map((build) => build.label).join(' and ')} on ${machine}; ${runs === 1 ? '1 run' : `median (min–max) of ${runs} runs`}, a fresh process each, ${((Date.now() - started) / 60000).toFixed(1)} min in all. Command: \`node bench/startup.mjs${process.argv.slice(2).map((arg) => ` ${/\s/.test(arg) ? JSON.stringify(arg) : arg}`).join('')}\`.`,
  '',
  'Wall: from just before importing the package (host framework already imported) to every route loaded. CPU: this process, user + system, same span; "+ esbuild": CPU of its child processes (esbuild, the TypeScript compiler, runs as a service process). RSS: after a forced gc. lib/db.js: evaluations of the shared module every route imports (1 = one module graph).',
  '',
  `| N | folder | host | TS cache |${flags.against ? ' build | CPU + esbuild vs other build |' : ''} wall ms | CPU ms | + esbuild ms | RSS MB | lib/db.js | × floor: CPU + esbuild | × floor: wall |`,
  `|---:|---|---|---|${flags.against ? '---|---:|' : ''}---:|---:|---:|---:|---:|---:|---:|`,
  ...rows.map((row) => {
    const of = (key, cell = row) => cell.results.map((result) => result[key] ?? 0)
    const other = rows.find((cell) => cell !== row && cell.count === row.count && cell.project === row.project && cell.host === row.host && cell.cache === row.cache)
    // Both processes' CPU: a loader may move work into (or out of) the esbuild service.
    const totalCpu = (cell) => median(cell.results.map((result) => result.cpuMs + (result.childCpuMs ?? 0)))
    const versus = other ? `${(totalCpu(row) / totalCpu(other)).toFixed(2)}×` : '—'
    return `| ${row.count} | ${row.folder} | ${hostName[row.host]} | ${row.cache} |${flags.against ? ` ${row.build.label} | ${versus} |` : ''} ${spread(of('wallMs'))} | ${spread(of('cpuMs'))} | ${row.results.every((result) => !result.childCpuMs) ? '—' : spread(of('childCpuMs'))} | ${spread(of('rssMb'))} | ${[...new Set(of('dbEvaluations'))].join('/')}× | ${floorRatios(row, rows)} |`
  }),
  '',
  `"mixed": 60 % route.ts, 15 % route.js (ESM syntax, package without "type"), 10 % route.mjs, 10 % route.mts, 5 % route.cjs; a third under \`[slug]\`; each imports \`next/server\` and the shared \`lib/db.js\` by relative path${flags.paths ? ' (a quarter of the TS ones as `@/lib/db`, through tsconfig `paths`)' : ''}. "all JS": the same tree with .ts → .js and .mts → .mjs, types stripped, and a stub \`next\` package so plain \`import()\` resolves \`next/server\`; plain \`import()\` loads them one after another. Cold: the transform caches (tsx's os.tmpdir()/tsx-<uid>; route-handlers' own, put there with ROUTE_HANDLERS_CACHE_DIR; under a TMPDIR of the benchmark's own) emptied before the run; warm: filled by the cold run just before. Fastify runs with \`pluginTimeout: 0\`${fastifyNote}.`,
  '',
]
console.log(section.join('\n'))

if (flags.write) {
  const file = join(dirname(self), 'RESULTS.md')
  const heading = `## ${flags.write}`
  const parts = (existsSync(file) ? readFileSync(file, 'utf8') : '').split(/^(?=## )/m)
  const text = `${heading}\n\n${section.join('\n')}\n`
  const at = parts.findIndex((part) => part.split('\n')[0] === heading)
  if (at === -1) parts.push((parts.at(-1)?.endsWith('\n\n') ? '' : '\n') + text)
  else parts[at] = text
  writeFileSync(file, parts.join(''))
  console.error(`Wrote "${heading}" in bench/RESULTS.md`)
}
