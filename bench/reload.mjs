// `npm run bench:reload` (or `node bench/reload.mjs` after `npm run build`): what dev reload costs,
// against the alternative, a watcher that restarts the app.
//
// It writes a project in a temp dir (removed at the end): lib/pool.js (the app's state), lib/word.ts,
// and 50 TypeScript route files, each importing next/server, the pool and the word (~30 lines, like
// a real route). Then, each in a fresh process:
// - in-process: an Express app with `reload: true`; 200 edit cycles of app/items/route.ts, then 200
//   of lib/word.ts (which all 50 routes import), each one write followed by a request that must
//   answer the new text. Reports the time from write to answer (median), and the heap and RSS
//   after a forced gc every 50 cycles;
// - restart: what `node --watch` or nodemon do per save: a fresh process (Express, the package, 50
//   route files from a warm transform cache) until it answers its first request; median of 7.
//
// Flags: --cycles 200  --write   (also replace the "Dev reload, Node <major>" section of bench/RESULTS.md)
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const self = fileURLToPath(import.meta.url)
const packageRoot = join(dirname(self), '..')
const ROUTES = 50

const route = (name, version) => `import { NextResponse, type NextRequest } from 'next/server'
import { pool } from '../../lib/pool'
import { word } from '../../lib/word'

interface Item {
  id: string
  name: string
  tags: string[]
}

const items: Item[] = Array.from({ length: 20 }, (_, index) => ({ id: String(index), name: \`${name} \${index}\`, tags: ['a', 'b'] }))

function pick(request: NextRequest): Item[] {
  const tag = request.nextUrl.searchParams.get('tag')
  return tag === null ? items : items.filter((item) => item.tags.includes(tag))
}

export async function GET(request: NextRequest) {
  pool.queries++
  return NextResponse.json({ version: ${version}, word, count: pick(request).length })
}

export async function POST(request: NextRequest) {
  const body = (await request.json()) as Partial<Item>
  if (typeof body.name !== 'string') return NextResponse.json({ error: 'name is required' }, { status: 400 })
  return NextResponse.json({ ...body, id: String(items.length) }, { status: 201 })
}
`

function writeProject() {
  const root = mkdtempSync(join(tmpdir(), 'route-handlers-reload-'))
  const write = (path, text) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  write('package.json', '{ "type": "module" }\n')
  write('tsconfig.json', '{ "compilerOptions": { "strict": true } }\n')
  // JavaScript, so that the host imports it on every Node line, as an app opens its pool.
  write('lib/pool.js', 'export const pool = { id: Math.random(), queries: 0 }\n')
  write('lib/word.ts', "export const word = 'word 0'\n")
  write('app/items/route.ts', route('items', 0))
  for (let index = 1; index < ROUTES; index++) write(`app/r${index}/route.ts`, route(`r${index}`, 0))
  return root
}

// ---------- child: in-process reload ----------

async function inProcess(root, cycles) {
  const { routeHandlers } = await import(pathToFileURL(join(packageRoot, 'dist/adapters/express.js')).href)
  const { default: express } = await import('express')
  const { pool } = await import(pathToFileURL(join(root, 'lib/pool.js')).href)
  const app = express()
  app.use(await routeHandlers({ dir: join(root, 'app'), reload: true }).ready())
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  const base = `http://127.0.0.1:${server.address().port}`
  const memory = () => {
    globalThis.gc()
    const { heapUsed, rss } = process.memoryUsage()
    return { heapUsed, rss }
  }
  const result = {}
  for (const [kind, file, text] of [
    ['route file', 'app/items/route.ts', (n) => route('items', n)],
    ['lib/word.ts, imported by every route', 'lib/word.ts', (n) => `export const word = 'word ${n}'\n`],
  ]) {
    await fetch(`${base}/items`).then((response) => response.text())
    const samples = [{ cycle: 0, ...memory() }]
    const times = []
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const start = process.hrtime.bigint()
      writeFileSync(join(root, file), text(cycle))
      const answer = await fetch(`${base}/items`).then((response) => response.json())
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
      const seen = file.startsWith('lib') ? answer.word : answer.version
      if (seen !== (file.startsWith('lib') ? `word ${cycle}` : cycle)) throw new Error(`cycle ${cycle}: the answer was not the new file: ${JSON.stringify(answer)}`)
      if (cycle % 50 === 0) samples.push({ cycle, ...memory() })
    }
    times.sort((a, b) => a - b)
    result[kind] = { samples, medianMs: times[times.length >> 1] }
  }
  server.closeAllConnections()
  server.close()
  return { ...result, poolKept: pool.queries === 2 * cycles + 2 }
}

// ---------- child: one restart, to the first answer ----------

async function firstAnswer(root) {
  const { routeHandlers } = await import(pathToFileURL(join(packageRoot, 'dist/adapters/express.js')).href)
  const { default: express } = await import('express')
  const app = express()
  app.use(await routeHandlers({ dir: join(root, 'app'), reload: false }).ready())
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  await fetch(`http://127.0.0.1:${server.address().port}/items`).then((response) => response.json())
  server.close()
}

if (process.argv[2] === '--child') {
  const [, , , mode, root, cycles] = process.argv
  if (mode === 'in-process') process.stdout.write(`@@reload ${JSON.stringify(await inProcess(root, Number(cycles)))}\n`)
  else await firstAnswer(root)
  process.exit(0)
}

// ---------- parent ----------

function run(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, ['--expose-gc', self, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited with ${code}`))
      const line = output.split('\n').find((text) => text.startsWith('@@reload '))
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, result: line ? JSON.parse(line.slice(9)) : undefined })
    })
  })
}

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '200' }, write: { type: 'boolean', default: false } } })
const cycles = Number(values.cycles)
const root = writeProject()
try {
  // Warms the transform cache, as a developer's restarts find it.
  await run(['restart', root])
  const restarts = []
  for (let index = 0; index < 7; index++) restarts.push((await run(['restart', root])).ms)
  restarts.sort((a, b) => a - b)
  const { result } = await run(['in-process', root, String(cycles)])
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)
  const lines = [
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0].model.split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Command: \`npm run bench:reload\` (bench/reload.mjs): ${ROUTES} TypeScript route files, Express, ${cycles} edit cycles of each kind, each a write then a request that must answer the new text.`,
    '',
    '| way | one save to the new answer (median) | the app\'s state |',
    '|---|---:|---|',
    `| restart (fresh process to its first answer, warm transform cache) | ${restarts[3].toFixed(0)} ms | lost |`,
    ...Object.entries(result)
      .filter(([kind]) => kind !== 'poolKept')
      .map(([kind, { medianMs }]) => `| in-process reload, editing the ${kind} | ${medianMs.toFixed(1)} ms | kept${result.poolKept ? ' (the pool counted every request)' : ''} |`),
    '',
    'Memory of the in-process app, after a forced gc, every 50 edits. Node never unloads an ES module: each edit keeps the old instance of the file it reloaded (with its compiled source and source map), so the heap grows with the edits, by about the size of what was edited, and not with the app. Only the requested route reloads after a save (lazily), so editing lib/word.ts costs the same per edit as editing the route.',
    '',
    '| in-process, editing | after cycle | heap used | RSS | heap growth per edit |',
    '|---|---:|---:|---:|---:|',
  ]
  for (const [kind, { samples }] of Object.entries(result).filter(([kind]) => kind !== 'poolKept')) {
    const first = samples[0]
    for (const sample of samples) {
      const perEdit = sample.cycle === 0 ? '—' : `${((sample.heapUsed - first.heapUsed) / sample.cycle / 1024).toFixed(1)} KB`
      lines.push(`| the ${kind} | ${sample.cycle} | ${mb(sample.heapUsed)} MB | ${mb(sample.rss)} MB | ${perEdit} |`)
    }
  }
  const text = lines.join('\n')
  console.log(text)
  if (values.write) {
    const file = join(packageRoot, 'bench/RESULTS.md')
    const current = readFileSync(file, 'utf8')
    const title = `## Dev reload, Node ${process.versions.node.split('.')[0]}`
    const start = current.indexOf(`${title}\n`)
    const section = `${title}\n\n${text}\n`
    if (start === -1) writeFileSync(file, `${current.trimEnd()}\n\n${section}`)
    else {
      const end = current.indexOf('\n## ', start + title.length)
      writeFileSync(file, current.slice(0, start) + section + (end === -1 ? '' : current.slice(end)))
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
