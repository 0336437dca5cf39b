/**
 * A value shared by every copy of this package in the process (the app may load one copy and a
 * route file another): created once, found again under a global symbol.
 *
 * @example
 * const storage = processGlobal('request-store', () => new AsyncLocalStorage())
 */
export function processGlobal<T>(name: string, create: () => T): T {
  const key = Symbol.for(`route-handlers.${name}`)
  const registry = globalThis as unknown as Record<symbol, T | undefined>
  return (registry[key] ??= create())
}

/** The value {@link processGlobal} made under `name`, if any copy of the package made one. */
export function existingProcessGlobal<T>(name: string): T | undefined {
  return (globalThis as unknown as Record<symbol, T | undefined>)[Symbol.for(`route-handlers.${name}`)]
}
