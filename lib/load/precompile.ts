import { readFile } from 'node:fs/promises'
import { compile, formatOf, isCompiled, isCached, type CompileFolder } from './transform.ts'

// Transforms in flight at once: enough to keep esbuild's service busy on every core (it runs each
// request on a goroutine of its own) without holding thousands of sources in memory.
const IN_FLIGHT = 32

/**
 * Compiles the route files the transform cache lacks, many at once, before they are imported one
 * after another: a cold cache (every fresh container) then costs esbuild's throughput instead of
 * one round trip to its service per file, on the thread that waits for it. Files that do not
 * compile are left for the import, which reports them with the load error of the file.
 */
export async function precompileRouteFiles(folder: CompileFolder, files: readonly string[]): Promise<void> {
  const queue = files.filter(isCompiled)
  // Compiled files that cannot be kept would be compiled again by their imports: compile once.
  if (queue.length === 0 || !folder.cache.writable()) return
  const worker = async (): Promise<void> => {
    for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
      try {
        const source = await readFile(path, 'utf8')
        if (!isCached(path, source, folder, formatOf(path))) await compile(path, source, folder)
      } catch {
        // A file that cannot be read or compiled fails again, with its own error, when imported.
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, queue.length) }, worker))
}
