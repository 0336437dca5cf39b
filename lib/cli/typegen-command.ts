import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { getTsconfig } from 'get-tsconfig'
import { buildRouteTree } from '../route-tree.ts'
import { scanRoutes } from '../scan.ts'
import { GENERATED_HEADER, ROUTE_FOLDER_LINE, generateRouteTypes } from '../typegen.ts'
import { tsconfigNotes } from './tsconfig-check.ts'
import type { Output } from './output.ts'

/**
 * Beside the tsconfig that compiles the route files, as Next's `next-env.d.ts` sits beside the
 * app's, wherever the command runs from (a monorepo's API app typing the web app's folder); in the
 * working directory when there is none.
 */
export const DEFAULT_OUT = 'route-types.d.ts'

export interface TypegenOptions {
  dir: string
  /** The declaration file to write (default: see {@link DEFAULT_OUT}). */
  out: string | undefined
  tsconfig: string | undefined
}

/**
 * `route-handlers typegen [dir]`: writes the route types of `dir` (see lib/typegen.ts). Reads the
 * folder's layout only; no route file is loaded. A layout error throws (the caller prints it).
 */
export function typegenCommand(options: TypegenOptions, output: Output): number {
  const tree = buildRouteTree(scanRoutes(resolve(options.dir)))
  const out = options.out === undefined ? defaultOut(options) : resolve(options.out)
  const existing = existsSync(out) ? readFileSync(out, 'utf8') : undefined
  if (existing !== undefined && !existing.startsWith(GENERATED_HEADER)) {
    output.error(`route-handlers: ${relative(process.cwd(), out)} exists and was not written by typegen; remove it, or pass --out with another file.`)
    return 1
  }
  // An app with several route folders (one per mount) typing them into one file keeps only the last.
  const previousDir = existing === undefined ? undefined : generatedFor(existing, realPath(dirname(out)))
  if (previousDir !== undefined && realPath(previousDir) !== realPath(resolve(options.dir))) {
    output.warn(
      `route-handlers: ${relative(process.cwd(), out)} held the routes of ${relative(process.cwd(), previousDir) || '.'}, and now holds those of ${options.dir} only. ` +
        'Give each route folder its own file (--out route-types-<folder>.d.ts): their declarations merge.',
    )
  }
  const command = `npx route-handlers typegen ${options.dir}${options.out === undefined ? '' : ` --out ${options.out}`}`
  // A folder named in --out that is not there yet (`types/routes.d.ts`) is made, as tsc makes outDir.
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, generateRouteTypes(tree.routes.map((route) => route.pattern), command, relative(realPath(dirname(out)), realPath(resolve(options.dir))) || '.'))
  const count = tree.routes.length
  output.info(`route-handlers: wrote ${relative(process.cwd(), out)} (${count} route${count === 1 ? '' : 's'})`)
  for (const note of tsconfigNotes(out, options.tsconfig, resolve(options.dir))) output.warn(`route-handlers: ${note}`)
  return 0
}

/** The route folder a generated file's header names (relative to the file's folder, links resolved), resolved; none in older files. */
function generatedFor(text: string, outFolder: string): string | undefined {
  const line = text.split('\n', 4).find((candidate) => candidate.startsWith(ROUTE_FOLDER_LINE))
  if (line === undefined) return undefined
  try {
    return resolve(outFolder, JSON.parse(line.slice(ROUTE_FOLDER_LINE.length)) as string)
  } catch {
    return undefined
  }
}

/** The folder with its symbolic links resolved (`app-link` is `app`), or as given when it is gone. */
function realPath(folder: string): string {
  try {
    return realpathSync(folder)
  } catch {
    return folder
  }
}

function defaultOut(options: TypegenOptions): string {
  let tsconfig = options.tsconfig
  try {
    tsconfig ??= getTsconfig(resolve(options.dir))?.path
  } catch {
    // An unreadable tsconfig: its notes say so once the file is written.
  }
  return tsconfig === undefined ? resolve(DEFAULT_OUT) : join(dirname(resolve(tsconfig)), DEFAULT_OUT)
}
