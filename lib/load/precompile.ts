import { readFileSync } from 'node:fs'
import { compile, formatOf, isCompiled, isCached, type CompileFolder } from './transform.ts'

// Transforms in flight at once: enough to keep esbuild's service busy on every core (it runs each
// request on a goroutine of its own) without holding thousands of sources in memory.
const IN_FLIGHT = 32

/** Resolves once `file` is in the transform cache, or is not going to be (compiled ahead or not). */
export type CompiledAhead = (file: string) => Promise<void>

/**
 * Compiles the route files the transform cache lacks, many at once and in the order given (the
 * order they are imported in), while they are imported one after another: a cold cache (every
 * fresh container) then costs esbuild's throughput, on the other cores, instead of one round trip
 * to its service per file on the thread that waits for it. Files that do not compile are left for
 * the import, which reports them with the load error of the file.
 */
export function precompileRouteFiles(folder: CompileFolder, files: readonly string[]): CompiledAhead {
  const queue = files.filter(isCompiled)
  // Compiled files that cannot be kept would be compiled again by their imports: compile once.
  if (queue.length === 0 || !folder.cache.writable()) return () => Promise.resolve()
  const done = new Map<string, () => void>()
  const compiled = new Map(queue.map((file) => [file, new Promise<void>((resolve) => done.set(file, resolve))]))
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const path = queue[next++]!
      try {
        // Read synchronously: on a warm start this loop is only reads and lookups, and a
        // promise-based read costs four round trips through libuv's pool for a file of a few KB.
        const source = readFileSync(path, 'utf8')
        if (!isCached(path, source, folder, formatOf(path))) await compile(path, source, folder)
      } catch {
        // A file that cannot be read or compiled fails again, with its own error, when imported.
      }
      done.get(path)!()
    }
  }
  for (let index = 0; index < Math.min(IN_FLIGHT, queue.length); index++) void worker()
  return (file) => compiled.get(file) ?? Promise.resolve()
}
