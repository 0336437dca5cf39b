import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'

/** `rename`: the entry appeared or went away (or an editor saved by renaming); `change`: edited. */
export type WatchEvent = 'rename' | 'change'

export interface RouteWatcher {
  /** Also watches these files (project modules outside the route folder that route files import). */
  watchFiles(paths: Iterable<string>): void
  /**
   * Watches these folders (outside the route folder) themselves, in place of those the last call
   * gave: a folder no longer given is let go, unless `watchFiles` needs it.
   */
  watchFolders(paths: Iterable<string>): void
  close(): void
}

/**
 * Watches a route folder, each of its folders (but `node_modules` and dot folders), and the folders
 * of other files it is asked to. One non-recursive watcher per folder rather than
 * `{ recursive: true }`: the same on every Node line and platform, a folder created later is
 * watched as soon as its own creation is seen, and a file saved by rename (as most editors do) is
 * still seen, where a watcher on the file itself would follow the old inode. Watchers do not keep
 * the process alive.
 *
 * `onEvent` gets the path of what changed; `null` when the system could not say which entry of a
 * folder it was (the caller should look again at everything). `onError` gets the first failure to
 * watch (too many watched folders: `ENOSPC` on Linux).
 */
export function watchRoutes(
  dir: string,
  onEvent: (path: string | null, event: WatchEvent) => void,
  onError: (error: Error) => void,
): RouteWatcher {
  const watchers = new Map<string, FSWatcher>()
  // Folders outside the route folder watched for the files in them, and for themselves (watchFolders).
  const fileFolders = new Set<string>()
  let ownFolders = new Set<string>()
  let failed = false
  let closed = false
  let parentWatcher: FSWatcher | undefined

  // The route folder itself went (a branch switch without it, `mv app elsewhere`): its parent is
  // watched for its return; then every folder is watched again, and `onEvent` hears the folder
  // itself appear, so everything in it is looked at again.
  const awaitReturn = (): void => {
    if (closed || parentWatcher !== undefined || watchers.has(dir)) return
    const returned = (): void => {
      if (closed || !isDirectory(dir)) return
      parentWatcher?.close()
      parentWatcher = undefined
      walk(dir)
      onEvent(dir, 'rename')
    }
    try {
      parentWatcher = watch(dirname(dir), { persistent: false }, (_event, name) => {
        if (name === null || name.toString() === basename(dir)) returned()
      })
    } catch {
      // The parent went too: nothing left to watch from here.
      return
    }
    parentWatcher.on('error', () => {
      parentWatcher?.close()
      parentWatcher = undefined
    })
    // Back before the parent was watched.
    returned()
  }

  const watchFolder = (folder: string): void => {
    if (closed || watchers.has(folder)) return
    let watcher: FSWatcher
    try {
      watcher = watch(folder, { persistent: false }, (event, name) => {
        const path = name === null ? null : join(folder, name.toString())
        if (event === 'rename' && path !== null && isInside(dir, path)) {
          // A folder that appears is watched (with what it already holds); one that went is let go.
          if (isDirectory(path)) walk(path)
          for (const [watched, other] of watchers) if (!isDirectory(watched)) (other.close(), watchers.delete(watched))
          awaitReturn()
        }
        onEvent(path, event as WatchEvent)
      })
    } catch (error) {
      // Gone before it could be watched, or the system's limit: the first one is reported.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !failed) (failed = true), onError(error as Error)
      return
    }
    watcher.on('error', () => {
      watcher.close()
      watchers.delete(folder)
      if (folder === dir) awaitReturn()
    })
    watchers.set(folder, watcher)
  }

  const walk = (folder: string): void => {
    watchFolder(folder)
    let entries
    try {
      entries = readdirSync(folder, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      // A linked folder leads inside the route folder (the scan enforces it), watched there already.
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(join(folder, entry.name))
    }
  }

  walk(dir)
  return {
    watchFiles(paths) {
      for (const path of paths) {
        if (isInside(dir, path)) continue
        fileFolders.add(dirname(path))
        watchFolder(dirname(path))
      }
    },
    watchFolders(paths) {
      const wanted = new Set([...paths].filter((path) => path !== dir && !isInside(dir, path)))
      for (const folder of ownFolders) {
        if (wanted.has(folder) || fileFolders.has(folder)) continue
        watchers.get(folder)?.close()
        watchers.delete(folder)
      }
      ownFolders = wanted
      for (const folder of wanted) watchFolder(folder)
    },
    close() {
      closed = true
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
      parentWatcher?.close()
    },
  }
}

/** True for `path` inside `dir` (at any depth; not `dir` itself). */
export function isInside(dir: string, path: string): boolean {
  const rest = relative(dir, path)
  return rest !== '' && !rest.startsWith(`..${sep}`) && rest !== '..'
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
}
