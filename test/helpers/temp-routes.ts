import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const created: string[] = []
process.once('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true })
})

/** A throwaway route folder holding `files` (path → source), removed when the process exits. */
export function tempRouteFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'route-handlers-'))
  created.push(dir)
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), source)
  }
  return dir
}
