import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * Compiled TypeScript kept on disk between runs, keyed by everything that decides the output
 * (esbuild's version, the options, the file's path and source): a restart recompiles nothing that
 * did not change. Reads and writes that fail (a read-only disk) only cost the compilation.
 */
export class TransformCache {
  readonly #dir: string
  #created = false

  constructor(dir: string) {
    this.#dir = dir
  }

  key(compilerVersion: string, options: object, source: string): string {
    return createHash('sha256').update(`${compilerVersion}\0${JSON.stringify(options)}\0`).update(source).digest('hex')
  }

  has(key: string): boolean {
    return existsSync(join(this.#dir, `${key}.js`))
  }

  get(key: string): string | undefined {
    try {
      return readFileSync(join(this.#dir, `${key}.js`), 'utf8')
    } catch {
      return undefined
    }
  }

  set(key: string, code: string): void {
    try {
      if (!this.#created) mkdirSync(this.#dir, { recursive: true })
      this.#created = true
      // Written whole, then renamed: a process reading at the same time never sees half a file.
      const partial = join(this.#dir, `${key}.${process.pid}.partial`)
      writeFileSync(partial, code)
      renameSync(partial, join(this.#dir, `${key}.js`))
    } catch {
      // Compiling again next time is the only cost.
    }
  }
}

/**
 * Where a route folder's compiled files are kept: `ROUTE_HANDLERS_CACHE_DIR` if set, else the
 * project's `node_modules/.cache/route-handlers` (the convention of babel-loader, ESLint and
 * webpack: it lives as long as the install, in a container image too), else the temp folder.
 */
export function transformCacheDir(routeFolder: string): string {
  const configured = process.env.ROUTE_HANDLERS_CACHE_DIR
  if (configured) return configured
  for (let folder = routeFolder; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) {
      const modules = join(folder, 'node_modules')
      if (existsSync(modules)) return join(modules, '.cache', 'route-handlers')
      break
    }
    if (dirname(folder) === folder) break
  }
  return join(tmpdir(), `route-handlers-cache-${userInfo().uid}`)
}
