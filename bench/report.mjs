// The tables of `npm run bench`, as Markdown: printed to the terminal and written to
// bench/RESULTS.md; the summary table also replaces the block between the bench markers in README.md.
import { median, ratioText, verdict } from './_stats.mjs'

const int = (value) => Math.round(value).toLocaleString('en-US')
const hostName = { fastify: 'Fastify', express: 'Express' }

export function ceilingTable(row) {
  return [
    '| load generator ceiling (GET /hello) | req/s | native Fastify / node:http per round |',
    '|---|---:|---:|',
    `| bare \`node:http\` server | ${int(row.nodeRps)} | |`,
    `| native Fastify | ${int(row.fastifyRps)} | ${ratioText(row.ratios)} |`,
  ]
}

export function requestTable(rows) {
  return [
    '| host | endpoint | native req/s | route files req/s | route files / native: median (min–max) | target |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map((row) => `| ${hostName[row.host]} | ${row.scenario} | ${int(row.nativeRps)} | ${int(row.routesRps)} | ${ratioText(row.ratios)} | ${verdict(median(row.ratios), row.target)} |`),
  ]
}

export function cacheTable(rows) {
  const lines = [
    '| Fastify, cached GET (`revalidate = 60`) | native Fastify req/s | cached req/s | cached / native | native with the HIT\'s two headers req/s | cached / native with them | uncached req/s | uncached / native | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const row of rows) {
    if (row.skip) lines.push(`| ${row.store} store | skipped: ${row.skip} | | | | | | | |`)
    else {
      const hit = row.hit ? '' : ' (no `x-nextjs-cache: HIT` seen)'
      const target = row.store === 'memory' ? `HIT ${verdict(median(row.ratios), 1)}` : 'none (issue 12 sets one for the memory store)'
      lines.push(
        `| ${row.store} store${hit} | ${int(row.nativeRps)} | ${int(row.cachedRps)} | ${ratioText(row.ratios)} | ${int(row.sameHeadersRps)} | ${ratioText(row.sameHeadersRatios)} | ${int(row.uncachedRps)} | ${ratioText(row.uncachedRatios)} | ${target} |`,
      )
    }
  }
  return lines
}

/**
 * Scaling rows, with the issue's targets checked on the per-round ratios' medians: start-up against
 * the plain `import()` floor of its round, CPU per request against the same host and variant at
 * the smallest count (loaded at the same time).
 */
export function scalingTable(rows) {
  const smallest = Math.min(...rows.map((row) => row.count))
  const native = (row) => rows.find((other) => other.count === row.count && other.host === row.host && other.variant === 'native')
  const lines = [
    '| files | host | variant | start-up ms (× plain import(): median, min–max) | RSS MB after start-up (vs native) | server CPU µs/request (× at ' + smallest + ' files: median, min–max) | req/s | Fastify router entries (per file) |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
  ]
  for (const row of rows) {
    const routes = row.variant === 'routes'
    const rssDelta = row.rssMb - native(row).rssMb
    const large = row.count > smallest
    const startup = `${int(row.startupMs)} (${ratioText(row.startupRatios)}${routes && large ? ` ${verdict(median(row.startupRatios), 2, { higherIsBetter: false })}` : ''})`
    const rss = `${int(row.rssMb)}${routes ? ` (${rssDelta >= 0 ? '+' : ''}${int(rssDelta)}${large ? ` ${verdict(rssDelta, 100, { higherIsBetter: false, unit: ' MB' })}` : ''})` : ''}`
    const cpu = `${row.cpuUs.toFixed(1)}${large ? ` (${ratioText(row.cpuRatios)}${routes ? ` ${verdict(median(row.cpuRatios), 1.2, { higherIsBetter: false })}` : ''})` : ''}`
    const perFile = row.entries === undefined ? undefined : entriesPerFile(row)
    const fallback = row.fallbackEntries ? ` + ${int(row.fallbackEntries)} fallback` : ''
    const entries = perFile === undefined ? '—' : `${int(row.entries)} (${perFile.toFixed(1)}${fallback}${routes && large ? ` ${verdict(perFile, 3, { higherIsBetter: false, unit: '' })}` : ''})`
    lines.push(`| ${int(row.count)} | ${hostName[row.host]} | ${row.variant === 'routes' ? 'route files' : 'native'} | ${startup} | ${rss} | ${cpu} | ${int(row.rps)} | ${entries} |`)
  }
  return lines
}

export function streamTable(rows, bytes) {
  const size = bytes === 1024 ** 3 ? '1 GiB' : `${int(bytes / 1024 ** 2)} MiB`
  return [
    `| host | ${size} | native MB/s | route files MB/s | route files / native: median (min–max) | target | server CPU ms/GiB native / route files | peak RSS above idle native / route files (target ≤ native + 16 MB) |`,
    '|---|---|---:|---:|---:|---|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${hostName[row.host]} | ${row.direction} | ${int(row.nativeMbps)} | ${int(row.routesMbps)} | ${ratioText(row.ratios)} | ${verdict(median(row.ratios), 0.9)} | ${int(row.nativeCpu)} / ${int(row.routesCpu)} | ${int(row.nativeRss)} / ${int(row.routesRss)} MB ${row.routesRss <= row.nativeRss + 16 ? '✓' : '✗'} |`,
    ),
  ]
}

/** The README's short table: one line per measured target. */
export function summaryTable({ requests, scaling, streams }) {
  const lines = [
    '| host | measurement | result (ratios: median of rounds, min–max) | target |',
    '|---|---|---:|---|',
    ...requests.map((row) => `| ${hostName[row.host]} | \`${row.scenario}\` route files / native | ${ratioText(row.ratios)} | ${verdict(median(row.ratios), row.target)} |`),
  ]
  if (scaling.length > 0) {
    const smallest = Math.min(...scaling.map((row) => row.count))
    const largest = Math.max(...scaling.map((row) => row.count))
    for (const host of ['fastify', 'express']) {
      const find = (count, variant) => scaling.find((row) => row.count === count && row.host === host && row.variant === variant)
      const big = find(largest, 'routes')
      const native = find(largest, 'native')
      if (!big || !native || largest === smallest) continue
      const files = `${int(largest)} route files`
      const rss = big.rssMb - native.rssMb
      lines.push(`| ${hostName[host]} | ${files}: server CPU per request / at ${int(smallest)} files | ${ratioText(big.cpuRatios)} | ${verdict(median(big.cpuRatios), 1.2, { higherIsBetter: false })} |`)
      lines.push(`| ${hostName[host]} | ${files}: start-up / plain \`import()\` of the files | ${ratioText(big.startupRatios)} | ${verdict(median(big.startupRatios), 2, { higherIsBetter: false })} |`)
      lines.push(`| ${hostName[host]} | ${files}: RSS after start-up − native routes' | ${rss >= 0 ? '+' : ''}${int(rss)} MB | ${verdict(rss, 100, { higherIsBetter: false, unit: ' MB' })} |`)
      if (big.entries !== undefined) lines.push(`| ${hostName[host]} | ${files}: router entries per file (the plugin's fallback apart) | ${entriesPerFile(big).toFixed(1)} | ${verdict(entriesPerFile(big), 3, { higherIsBetter: false, unit: '' })} |`)
    }
  }
  lines.push(...streams.map((row) => `| ${hostName[row.host]} | 1 GiB ${row.direction} MB/s route files / native | ${ratioText(row.ratios)} | ${verdict(median(row.ratios), 0.9)} |`))
  return lines
}

// A route file's own entries: the plugin's fallback routes (one set per plugin, whatever the number
// of files) are not the file's.
function entriesPerFile(row) {
  return (row.entries - (row.fallbackEntries ?? 0)) / row.count
}
