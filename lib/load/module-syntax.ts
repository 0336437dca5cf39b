import { Script } from 'node:vm'

/**
 * Node's own test, simplified: source that does not compile as a script because of `import`,
 * `export` or top-level `await` is an ES module. Most Next.js projects have no `"type"` in their
 * package.json and write route files as ES modules.
 */
export function hasModuleSyntax(source: string): boolean {
  try {
    new Script(source)
    return false
  } catch (error) {
    return error instanceof SyntaxError && /\bimport\b|\bexport\b|\bawait\b/.test(error.message)
  }
}
