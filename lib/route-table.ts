import type { HttpMethod } from './types.ts'

/** One line of the route table. */
export interface RouteRow {
  readonly pattern: string
  readonly methods: readonly HttpMethod[]
  /** The route file, relative to the route folder. */
  readonly file: string
  /** True when the file failed to load (it answers 500). */
  readonly failed?: boolean
}

/**
 * The route table as `npx route-handlers routes` prints it and `logRoutes` logs it: one aligned
 * line per route file under a header, sorted by pattern (`/items` before `/items/[slug]`).
 *
 * @example
 * formatRouteTable([{ pattern: '/items/[slug]', methods: ['GET'], file: 'items/[slug]/route.ts' }])
 * // 'PATTERN        METHODS  FILE\n/items/[slug]  GET      items/[slug]/route.ts'
 */
export function formatRouteTable(rows: readonly RouteRow[]): string {
  const lines = [['PATTERN', 'METHODS', 'FILE'], ...sortByPattern(rows).map((row) => [row.pattern, methodsOf(row), row.file])]
  const widths = [0, 1].map((column) => Math.max(...lines.map((line) => line[column]!.length)))
  return lines.map(([pattern, methods, file]) => `${pattern!.padEnd(widths[0]!)}  ${methods!.padEnd(widths[1]!)}  ${file}`).join('\n')
}

function methodsOf(row: RouteRow): string {
  if (row.failed) return '(failed to load)'
  // A file with no uppercase method export answers 405 to everything but OPTIONS: say so.
  return row.methods.length === 0 ? '(none)' : row.methods.join(', ')
}

/** By pattern, code unit order: a folder's route before its children, as the file tree reads. */
export function sortByPattern<Row extends { readonly pattern: string }>(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0))
}
