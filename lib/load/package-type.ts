import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

// The `"type"` of the package.json nearest to each folder asked about (undefined: none, or one
// that cannot be read).
const packageTypes = new Map<string, string | undefined>()

/** The `"type"` of the package.json nearest to `folder` (`'commonjs'` when it names none). */
export function packageTypeOf(folder: string): string | undefined {
  if (packageTypes.has(folder)) return packageTypes.get(folder)
  let type: string | undefined
  try {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { type?: unknown }
    type = typeof manifest.type === 'string' ? manifest.type : 'commonjs'
  } catch (error) {
    const parent = dirname(folder)
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && parent !== folder) type = packageTypeOf(parent)
  }
  packageTypes.set(folder, type)
  return type
}
