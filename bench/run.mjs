// `npm run bench`: the route-file adapters against the same endpoints written natively, measured
// with wrk (Debian's) pinned to CPU 1 while every server runs pinned to CPU 0. In order: the load
// generator's ceiling (bare node:http and native Fastify), request rates (native and route files
// loaded at the same time), cached GETs (issue 12, skipped while unavailable), route-count scaling
// (10 / 1,000 / 5,000 files, in rounds), and 1 GiB streams (side by side, a fresh pair each
// round). Prints each table as it completes and writes bench/RESULTS.md; the summary replaces the
// bench block of README.md. ~13 minutes on a 2-core machine.
//
// Environment: BENCH_SECONDS (each wrk run, default 3), BENCH_WARM_SECONDS (load before a pair of
// servers is measured, default 4), BENCH_ROUNDS (rounds per row, default 7),
// BENCH_COUNTS (default 10,1000,5000), BENCH_SCALE_SECONDS (wrk run per scaling server, default 4),
// BENCH_SCALE_ROUNDS (rounds per count, fresh processes each, default 3),
// BENCH_STREAM_BYTES (default 1 GiB), BENCH_STREAM_ROUNDS (default 9, a fresh pair of servers each), BENCH_ONLY (a comma list of
// ceiling,requests,cache,scaling,streams). Shorter: BENCH_SECONDS=1 BENCH_ROUNDS=3; longer:
// BENCH_SECONDS=5 BENCH_ROUNDS=9. BENCH_NODE=24 (or 22, 26): the servers run on that Node line
// (installed by .ci/node-lines.sh), its sections are written under their own titles (" on Node
// 24") beside the system Node's, and README.md is left alone:
// `BENCH_NODE=24 BENCH_ONLY=requests,scaling npm run bench`.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { cacheRows } from './cache-rows.mjs'
import { cacheTable, ceilingTable, requestTable, scalingTable, streamTable, summaryTable } from './report.mjs'
import { ceilingRow, requestRows, WARM_SECONDS } from './requests.mjs'
import { scalingRows } from './scaling.mjs'
import { streamRows } from './streams.mjs'
import { CLIENT_CPU, requireTools } from './_wrk.mjs'

const env = process.env
const seconds = Number(env.BENCH_SECONDS ?? 3)
const rounds = Number(env.BENCH_ROUNDS ?? 7)
const counts = (env.BENCH_COUNTS ?? '10,1000,5000').split(',').map(Number)
const scaleSeconds = Number(env.BENCH_SCALE_SECONDS ?? 4)
const scaleRounds = Number(env.BENCH_SCALE_ROUNDS ?? 3)
const streamBytes = Number(env.BENCH_STREAM_BYTES ?? 1024 ** 3)
const streamRounds = Number(env.BENCH_STREAM_ROUNDS ?? 9)
const only = new Set((env.BENCH_ONLY ?? 'ceiling,requests,cache,scaling,streams').split(','))

requireTools()
// Another Node line for the servers: the binary, and the suffix its section titles get.
const otherLine = env.BENCH_NODE
const titleSuffix = otherLine ? ` on Node ${otherLine}` : ''
if (otherLine) {
  // `<line> <bin dir>`: the folder may hold spaces, the line does not.
  const listed = execFileSync(new URL('../.ci/node-lines.sh', import.meta.url).pathname, [otherLine], { encoding: 'utf8' }).trim()
  env.BENCH_NODE_BIN = `${listed.slice(listed.indexOf(' ') + 1)}/node`
} else {
  // Only BENCH_NODE picks the servers' Node: tables say which one they ran on.
  delete env.BENCH_NODE_BIN
}
const serverNode = otherLine ? execFileSync(env.BENCH_NODE_BIN, ['--version'], { encoding: 'utf8' }).trim() : process.version
// This process is the streams' client: it stays off the servers' core.
execFileSync('taskset', ['-p', '-c', CLIENT_CPU, String(process.pid)], { stdio: 'ignore' })

const started = Date.now()
const loadAtStart = loadavg()
const sections = []
const print = (title, lines) => {
  // A section of another Node line says which run it comes from: the header is the system line's.
  const body = otherLine ? [`Run ${new Date().toISOString()}, servers on Node ${serverNode}; the rest as in the header.`, '', ...lines] : lines
  console.log(`\n${title}${titleSuffix}\n\n${body.join('\n')}`)
  sections.push(`## ${title}${titleSuffix}\n\n${body.join('\n')}\n`)
}
const progress = (text) => process.stderr.write(`  … ${text}\n`)

let requests = []
let scaling = []
let streams = []
if (only.has('ceiling')) print('Load generator ceiling', ceilingTable(await ceilingRow({ seconds, rounds })))
if (only.has('requests')) {
  requests = await requestRows({ seconds, rounds, onRow: (row) => progress(`${row.host} ${row.scenario}`) })
  print('Requests', requestTable(requests))
}
if (only.has('cache')) print('Cached GET (issue 12)', cacheTable(await cacheRows({ seconds, rounds, onRow: (row) => progress(`cache ${row.store}`) })))
if (only.has('scaling')) {
  scaling = await scalingRows({ counts, seconds: scaleSeconds, rounds: scaleRounds, onRow: (row) => progress(`${row.count} files ${row.host} ${row.variant}`) })
  print('Scaling with the number of route files', scalingTable(scaling))
}
if (only.has('streams')) {
  streams = await streamRows({ bytes: streamBytes, rounds: streamRounds, onRow: (row) => progress(`${row.host} ${row.direction}`) })
  print('Streams', streamTable(streams, streamBytes))
}

const minutes = ((Date.now() - started) / 60_000).toFixed(1)
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`
const header = [
  '# Benchmark results',
  '',
  `Run ${new Date().toISOString()} on ${machine}; took ${minutes} min. 1-minute load average ${loadAtStart[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (2 cores: above ~1 means other processes competed with the servers).`,
  `Servers pinned to CPU 0, wrk (one thread, 50 connections) pinned to CPU 1; ${rounds} rounds per row. The ceiling row measures each server alone, four wrk runs of ${seconds} s a round (node:http, Fastify, Fastify, node:http). The request and cache rows load native and route files at the same time, both servers on CPU 0 and a wrk each on CPU 1, for ${seconds} s a round: each server gets half the core, so its req/s there is about half what it serves alone, and the ratio is that of the cost per request, with whatever else the machine does falling on both alike; which of the two is started and loaded first alternates from round to round (the first comes out about 2 % ahead), and the request rows start a fresh pair of server processes for each round. Before its measured runs, each pair (and each server of the ceiling row) is loaded for ${WARM_SECONDS} s, out of the rounds. The scaling rows run ${scaleRounds} rounds per count in fresh processes: start-up against the plain \`import()\` floor of the same round, and CPU per request against the same host and variant at the smallest count, the two servers loaded at the same time (the req/s there is a shared core's). The 1 GiB streams run side by side too, a fresh pair of servers each of ${streamRounds} rounds (each server runs one full GC after start-up), their rates taken when the first of the two has finished. Ratios are taken per round: median and min–max. Reproduce with \`npm run bench\`.`,
  '',
].join('\n')

// Every section this run did not write is kept: the other benchmarks' (`## Start-up …`, cookies,
// dev reload) and the hand-written notes; one this run skipped (BENCH_ONLY) keeps its last figures.
const resultsFile = new URL('./RESULTS.md', import.meta.url)
const written = new Set(sections.map((section) => section.slice(0, section.indexOf('\n'))))
// Each part ends in one newline: joined with another, one blank line between sections, however
// many runs have rewritten the file.
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8').split(/^(?=## )/m).map((part) => part.replace(/\n*$/, '\n')) : []
const kept = previous.filter((part) => part.startsWith('## ') && !written.has(part.slice(0, part.indexOf('\n'))))
// Another line's run keeps the system line's header, and puts each section beside that line's.
const hasHeader = previous.length > 0 && !previous[0].startsWith('## ')
const results = otherLine ? besideSystemLine([hasHeader ? previous[0] : header, ...kept], sections) : [header, ...sections, ...kept]
writeFileSync(resultsFile, results.join('\n'))
console.log(`\nWrote bench/RESULTS.md (${minutes} min)`)

if (!otherLine && requests.length > 0 && streams.length > 0) {
  const readme = new URL('../README.md', import.meta.url)
  const text = readFileSync(readme, 'utf8')
  const block = /(<!-- bench-summary:start -->\n)[^]*?(<!-- bench-summary:end -->)/
  if (block.test(text)) {
    const runLine = `Last run ${new Date().toISOString().slice(0, 10)}: ${machine}, 1-minute load average ${loadAtStart[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.`
    const table = summaryTable({ requests, scaling, streams }).join('\n')
    writeFileSync(readme, text.replace(block, (_, start, end) => `${start}${runLine}\n\n${table}\n${end}`))
    console.log('Updated the performance table in README.md')
  }
}

/** `parts` with each of another line's `sections` just after the system line's section of that title. */
function besideSystemLine(parts, sections) {
  const placed = [...parts]
  for (const section of sections) {
    const title = section.slice(0, section.indexOf('\n')).replace(titleSuffix, '')
    const at = placed.findIndex((part) => part.startsWith(`${title}\n`))
    placed.splice(at === -1 ? placed.length : at + 1, 0, section)
  }
  return placed
}
