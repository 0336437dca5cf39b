import { processGlobal } from '../process-global.ts'

type ScopedImport = (specifier: string, parentURL: string) => Promise<unknown>

/**
 * Registers tsx once per process, in its own namespace: only modules reached from route files are
 * compiled, so the host app's own loading is untouched, and all route files share one module graph
 * (one instance of a `lib/db.ts` they all import). Called only when a route needs it.
 */
export function registerTypeScript(): Promise<ScopedImport> {
  return processGlobal('tsx', async () => {
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')])
    const namespace = 'route-handlers'
    cjs.register({ namespace })
    return esm.register({ namespace }).import
  })
}

/** Imports a TypeScript (or JSX) route file through the namespace above. */
export async function importTypeScript(url: string): Promise<unknown> {
  const scopedImport = await registerTypeScript()
  return scopedImport(url, import.meta.url)
}
