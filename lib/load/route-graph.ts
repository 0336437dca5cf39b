import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { forgetLexed } from './commonjs-facade.ts'
import { folderConfig, type FolderConfig, type FolderSpec } from './folder-config.ts'
import { forgetFoundFiles } from './resolve-in-graph.ts'

/** What one side of a {@link RouteGraph} tells the other (Node 20's hooks thread and main thread). */
export type GraphMessage =
  | { kind: 'folder'; spec: FolderSpec; scope: string }
  | { kind: 'member'; url: string; scope: string }
  | { kind: 'import'; url: string; parent: string }
  | { kind: 'unresolved'; parent: string; missing: readonly string[] }
  | { kind: 'versions'; urls: string[]; version: number }
  | { kind: 'request-api'; scope: string }
  | { kind: 'imported'; url: string }
  | { kind: 'asset'; url: string }

/**
 * The modules reached from route files, and the route folder each was first reached from: those
 * modules get the folder's `next/*` aliases, tsconfig paths and TypeScript loading, the rest of the
 * process is left alone. Keyed by `file:` URL without query, as Node's module cache is.
 *
 * Where resolution happens on two threads (Node 20's off-thread hooks for `import`, the main
 * thread for `require()`), both sides keep a graph and exchange what they learn over a port,
 * read synchronously when a lookup misses: a CommonJS library imported from a route file is
 * resolved on the hooks thread, then its `require('next/headers')` on the main thread.
 */
export class RouteGraph {
  readonly #folders = new Map<string, FolderConfig>()
  readonly #members = new Map<string, FolderConfig>()
  // Dev reload (reload.ts): who imports each project module, the modules with an import that did
  // not resolve and the paths those imports named, and the version each changed module loads under.
  readonly #importers = new Map<string, Set<string>>()
  readonly #unresolved = new Map<string, readonly string[]>()
  readonly #versions = new Map<string, number>()
  // The folders (by scope) whose project files name a module that needs the request store.
  readonly #requestApiScopes = new Set<string>()
  // Node 20's hooks thread: the modules it compiled as ES modules for an `import` (see filesLoadedTwice).
  readonly #imported = new Set<string>()
  // Files the graph's modules name as `new URL('./font.ttf', import.meta.url)` (see assets.ts).
  readonly #assets = new Set<string>()
  readonly #port: MessagePort | undefined

  constructor(port?: MessagePort) {
    this.#port = port
  }

  /** Adds a route folder: every file under it is in the graph. */
  addFolder(spec: FolderSpec, scope: string): FolderConfig {
    const existing = this.#folders.get(scope)
    if (existing) return existing
    const config = folderConfig(spec, scope)
    this.#folders.set(scope, config)
    this.#port?.postMessage({ kind: 'folder', spec, scope } satisfies GraphMessage)
    return config
  }

  /** The folder whose graph holds `url`, if any. */
  folderOf(url: string): FolderConfig | undefined {
    const found = this.#find(url)
    if (found || !this.#port) return found
    return this.#receive() ? this.#find(url) : undefined
  }

  /** Records that `url` was reached from a module of `folder`'s graph. */
  addMember(url: string, folder: FolderConfig): void {
    if (this.#members.has(url) || url.startsWith(folder.scope)) return
    this.#members.set(url, folder)
    this.#port?.postMessage({ kind: 'member', url, scope: folder.scope } satisfies GraphMessage)
  }

  /** Records that project module `parent` imports project module `url` (both without query). */
  addImport(url: string, parent: string): void {
    if (url.includes('/node_modules/') || parent.includes('/node_modules/')) return
    let importers = this.#importers.get(url)
    if (!importers) this.#importers.set(url, (importers = new Set()))
    if (importers.has(parent)) return
    importers.add(parent)
    this.#port?.postMessage({ kind: 'import', url, parent } satisfies GraphMessage)
  }

  /**
   * Records that a project module has an import that did not resolve (a file yet to be written),
   * and the paths the import named (`missing`: where the file would be, without its extension).
   */
  addUnresolved(parent: string, missing: readonly string[] = []): void {
    if (parent.includes('/node_modules/')) return
    const known = this.#unresolved.get(parent)
    if (known && missing.every((path) => known.includes(path))) return
    const paths = known ? [...new Set([...known, ...missing])] : missing
    this.#unresolved.set(parent, paths)
    // All of them: the other side may have taken (forgotten) them since they were first posted.
    this.#port?.postMessage({ kind: 'unresolved', parent, missing: paths } satisfies GraphMessage)
  }

  /**
   * Records that a project file of `folder`'s graph names `next/headers`, `next/navigation` or
   * `next/cache` (see graph-steps.ts), statically or in an `import()` it may run later.
   */
  addRequestApiUser(folder: FolderConfig): void {
    if (this.#requestApiScopes.has(folder.scope)) return
    this.#requestApiScopes.add(folder.scope)
    this.#port?.postMessage({ kind: 'request-api', scope: folder.scope } satisfies GraphMessage)
  }

  /** Whether a project file of `folder`'s graph names a module that needs the request store. */
  usesRequestApi(folder: FolderConfig): boolean {
    this.sync()
    return this.#requestApiScopes.has(folder.scope)
  }

  /** The modules that import `url`, as far as this process has seen. */
  importersOf(url: string): ReadonlySet<string> {
    this.sync()
    return this.#importers.get(url) ?? new Set()
  }

  /** Takes the modules with an unresolved import, forgetting them and the paths they named. */
  takeUnresolved(): string[] {
    this.sync()
    const parents = [...this.#unresolved.keys()]
    this.#unresolved.clear()
    return parents
  }

  /** The paths that imports which did not resolve named (see {@link addUnresolved}). */
  missingPaths(): string[] {
    this.sync()
    return [...new Set([...this.#unresolved.values()].flat())]
  }

  /** The version `url` (without query) loads under: 0 until it changes. */
  versionOf(url: string): number {
    if (this.#port) this.sync()
    return this.#versions.get(url) ?? 0
  }

  /** Gives changed modules a new version, on both sides: their next import is a new instance. */
  setVersion(urls: string[], version: number): void {
    this.#applyVersion(urls, version)
    this.#port?.postMessage({ kind: 'versions', urls, version } satisfies GraphMessage)
  }

  /** Takes in what the other side has posted. */
  sync(): void {
    if (this.#port) this.#receive()
  }

  /** The project files (not `node_modules`) outside its folder that `folder`'s graph reached. */
  outsideFilesOf(folder: FolderConfig): string[] {
    return this.#membersOf(folder, false)
  }

  /** The `node_modules` files that `folder`'s graph reached. */
  packageFilesOf(folder: FolderConfig): string[] {
    return this.#membersOf(folder, true)
  }

  #membersOf(folder: FolderConfig, inPackages: boolean): string[] {
    this.sync()
    const urls: string[] = []
    for (const [url, owner] of this.#members) if (owner === folder && url.includes('/node_modules/') === inPackages) urls.push(url)
    return urls
  }

  #applyVersion(urls: string[], version: number): void {
    for (const url of urls) {
      this.#versions.set(url, version)
      forgetLexed(url)
      // Imported again under its new version: an import that fails again is news to the other side
      // (and what it named is forgotten here, so this side's record does not grow).
      this.#unresolved.delete(url)
    }
    // A file added or removed may change what an import resolves to.
    forgetFoundFiles()
  }

  #find(url: string): FolderConfig | undefined {
    const member = this.#members.get(url)
    if (member) return member
    for (const [scope, folder] of this.#folders) if (url.startsWith(scope)) return folder
    return undefined
  }

  /** The hooks thread compiled `url` as an ES module for an `import` (not a `require()`). */
  addImported(url: string): void {
    this.#imported.add(url)
    this.#port?.postMessage({ kind: 'imported', url } satisfies GraphMessage)
  }

  addAsset(url: string): void {
    if (this.#assets.has(url)) return
    this.#assets.add(url)
    this.#port?.postMessage({ kind: 'asset', url } satisfies GraphMessage)
  }

  isAsset(url: string): boolean {
    if (this.#assets.has(url)) return true
    this.sync()
    return this.#assets.has(url)
  }

  wasImported(url: string): boolean {
    this.sync()
    return this.#imported.has(url)
  }

  /** Takes in what the other side has posted; true if anything arrived. */
  #receive(): boolean {
    let received = false
    for (let entry = receiveMessageOnPort(this.#port!); entry; entry = receiveMessageOnPort(this.#port!)) {
      const message = entry.message as GraphMessage
      received = true
      if (message.kind === 'folder') {
        if (!this.#folders.has(message.scope)) this.#folders.set(message.scope, folderConfig(message.spec, message.scope))
      } else if (message.kind === 'member') {
        const folder = this.#folders.get(message.scope)
        if (folder && !this.#members.has(message.url)) this.#members.set(message.url, folder)
      } else if (message.kind === 'import') {
        let importers = this.#importers.get(message.url)
        if (!importers) this.#importers.set(message.url, (importers = new Set()))
        importers.add(message.parent)
      } else if (message.kind === 'unresolved') {
        // Merged: this side may have seen another of the module's imports fail meanwhile.
        const known = this.#unresolved.get(message.parent) ?? []
        this.#unresolved.set(message.parent, [...new Set([...known, ...message.missing])])
      } else if (message.kind === 'request-api') {
        this.#requestApiScopes.add(message.scope)
      } else if (message.kind === 'imported') {
        this.#imported.add(message.url)
      } else if (message.kind === 'asset') {
        this.#assets.add(message.url)
      } else {
        this.#applyVersion(message.urls, message.version)
      }
    }
    return received
  }
}

/** A module URL as the module cache keys it: tsx and others may add `?query`. */
export function withoutQuery(url: string): string {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}
