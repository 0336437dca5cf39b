import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { folderConfig, type FolderConfig, type FolderSpec } from './folder-config.ts'

/** What one side of a {@link RouteGraph} tells the other (Node 20's hooks thread and main thread). */
export type GraphMessage = { kind: 'folder'; spec: FolderSpec; scope: string } | { kind: 'member'; url: string; scope: string }

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

  #find(url: string): FolderConfig | undefined {
    const member = this.#members.get(url)
    if (member) return member
    for (const [scope, folder] of this.#folders) if (url.startsWith(scope)) return folder
    return undefined
  }

  /** Takes in what the other side has posted; true if anything arrived. */
  #receive(): boolean {
    let received = false
    for (let entry = receiveMessageOnPort(this.#port!); entry; entry = receiveMessageOnPort(this.#port!)) {
      const message = entry.message as GraphMessage
      received = true
      if (message.kind === 'folder') {
        if (!this.#folders.has(message.scope)) this.#folders.set(message.scope, folderConfig(message.spec, message.scope))
      } else {
        const folder = this.#folders.get(message.scope)
        if (folder && !this.#members.has(message.url)) this.#members.set(message.url, folder)
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
