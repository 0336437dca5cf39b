/**
 * Cookie APIs against the number of cookies (issue 10 #2): CPU milliseconds for one request through
 * the core's `handle()` with N request cookies read through `cookies()` and `request.cookies`;
 * with N `cookies().set()` or `NextResponse.cookies.set()` calls, up to the Set-Cookie headers a
 * host writes; with N `request.cookies.set()` calls. "baseline" rows: the same request, its
 * handler touching no cookie. A linear API costs ~10× more from 1,000 to 10,000, a quadratic ~100×.
 *
 * Run with `node --import tsx bench/cookies.ts` (part of `npm run bench`).
 */
import { fileURLToPath } from 'node:url'
import { createRouteHandlers } from '../lib/index.ts'

const SIZES = [1000, 10_000]
// The machine is shared: a median of many cheap runs says more than a few.
const RUNS = Number(process.env.BENCH_RUNS ?? 11)
const dir = fileURLToPath(new URL('cookies-app', import.meta.url))
const routes = await createRouteHandlers({ dir }).ready()

function cookieHeader(count: number): string {
  return Array.from({ length: count }, (_, index) => `c${index}=v${index}`).join('; ')
}

/** CPU ms (user + system) of one request, its Set-Cookie headers and body read as a host would. */
async function cpuMs(kind: string, count: number, withCookies: boolean): Promise<number> {
  const headers = withCookies ? { cookie: cookieHeader(count) } : undefined
  const start = process.cpuUsage()
  const response = await routes.handle(new Request(`http://localhost/${kind}?n=${count}`, { headers }))
  if (!response) throw new Error(`no route for /${kind}`)
  const setCookies = response.headers.getSetCookie()
  const body = (await response.json()) as { seen: number }
  const used = process.cpuUsage(start)
  const expected = kind === 'baseline' ? 0 : count
  if (body.seen !== expected) throw new Error(`/${kind}: saw ${body.seen} cookies, expected ${expected}`)
  const expectedSetCookies = kind === 'set' || kind === 'response-cookies' ? count : 0
  if (setCookies.length !== expectedSetCookies) throw new Error(`/${kind}: ${setCookies.length} Set-Cookie headers`)
  return (used.user + used.system) / 1000
}

/** Median of RUNS requests after one to warm up. */
async function median(kind: string, count: number, withCookies: boolean): Promise<number> {
  await cpuMs(kind, count, withCookies)
  const runs: number[] = []
  for (let run = 0; run < RUNS; run++) runs.push(await cpuMs(kind, count, withCookies))
  return runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!
}

const rows: [string, string, boolean][] = [
  ['baseline', 'request with N cookies, none read', true],
  ['read', 'cookies(): N request cookies, getAll() + get() each', true],
  ['request-cookies', 'request.cookies: N request cookies, getAll() + get() each', true],
  ['baseline', 'request without cookies, none set', false],
  ['set', 'cookies().set() N times, merged into the response', false],
  ['response-cookies', 'NextResponse.cookies.set() N times', false],
  ['request-set', 'request.cookies.set() N times', false],
]

console.log(`cookie APIs, CPU ms per request (median of ${RUNS}), ${process.version}:`)
console.log(`| what | ${SIZES.map((size) => `N = ${size.toLocaleString('en-US')}`).join(' | ')} |`)
console.log(`|---|${SIZES.map(() => '---:').join('|')}|`)
for (const [kind, label, withCookies] of rows) {
  const cells: string[] = []
  for (const size of SIZES) cells.push((await median(kind, size, withCookies)).toFixed(1))
  console.log(`| ${label} | ${cells.join(' | ')} |`)
}
