import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { isRouteHandlersError } from '../errors.ts'
import type { Output } from './output.ts'
import { routesCommand } from './routes-command.ts'
import { DEFAULT_OUT, typegenCommand } from './typegen-command.ts'

export const USAGE = `Usage: route-handlers <command> [dir] [options]

Commands:
  routes [dir]      List the route files: pattern, methods, file. Loads them as the app does.
  typegen [dir]     Write the route types (RouteContext<'/items/[slug]'>), as Next.js's next typegen.

Options:
  --json            routes: print JSON (an array of { pattern, methods, file }) instead of a table
  --prefix <path>   routes: the mount path the folder is served under (/api): patterns are printed under it
  --out <file>      typegen: the declaration file to write (default: ${DEFAULT_OUT} beside the route files' tsconfig.json)
  --tsconfig <file> the tsconfig.json for the route files (default: the nearest one up from dir)
  -h, --help        show this help

dir is the route folder (default: ./app, or ./src/app when there is no ./app).`

/**
 * The `route-handlers` command line: resolves with the exit code. Errors (an unknown command or
 * folder, a layout error, route files that fail to load) are written to `output.error`, code 1.
 *
 * @example
 * await main(['routes', 'app', '--json'], output) // 0, the JSON written to output.info
 */
export async function main(argv: readonly string[], output: Output): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        prefix: { type: 'string' },
        tsconfig: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    return usageError(output, (error as Error).message)
  }
  const { values, positionals } = parsed
  const [command, dir = defaultDir(), ...extra] = positionals
  if (values.help || command === 'help' || command === undefined) {
    output.info(USAGE)
    return command === undefined && !values.help ? 1 : 0
  }
  if (extra.length > 0) return usageError(output, `unexpected argument "${extra[0]}"`)
  try {
    if (command === 'routes') {
      if (values.prefix !== undefined && !values.prefix.startsWith('/')) return usageError(output, `--prefix must start with "/" (got "${values.prefix}")`)
      return await routesCommand({ dir, json: values.json, tsconfig: values.tsconfig, prefix: values.prefix }, output)
    }
    if (command === 'typegen') return typegenCommand({ dir, out: values.out, tsconfig: values.tsconfig }, output)
  } catch (error) {
    // Our errors say what is wrong and how to fix it: the message is the whole story.
    if (!isRouteHandlersError(error)) throw error
    output.error(`route-handlers: ${error.detail ?? error.message}`)
    return 1
  }
  return usageError(output, `unknown command "${command}"`)
}

function defaultDir(): string {
  return existsSync('app') || !existsSync('src/app') ? 'app' : 'src/app'
}

function usageError(output: Output, message: string): number {
  output.error(`route-handlers: ${message}\n\n${USAGE}`)
  return 1
}
