import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A throwaway route folder holding `files` (path → source). */
export function tempRouteFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'route-handlers-'))
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), source)
  }
  return dir
}
