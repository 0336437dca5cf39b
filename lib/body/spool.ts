import { openAsBlob } from 'node:fs'
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { routeHandlersError } from '../errors.ts'
import { diskFile } from './disk-file.ts'

/**
 * The temporary files of one request's spooled uploads: one folder, made on the first file, with a
 * file per part. Everything it creates is known from the moment the call that creates it starts
 * (the folder, each open file, each write), so `dispose()` — called by the host once the response
 * is done, also when a limit failed the form, the handler answered early or the client vanished —
 * waits for whatever is still under way, closes every file and removes the folder. Nothing it makes
 * outlives `dispose()`, whatever order things happen in.
 */
export class Spool {
  readonly #root: string
  #folder: Promise<string> | undefined
  #files = 0
  /** Every save under way; dispose() waits for them to settle before removing the folder. */
  readonly #saving = new Set<Promise<unknown>>()
  /** The file parts still being written, stopped by dispose(). */
  readonly #writers = new Set<Readable>()
  readonly #onDispose: ((reason: Error) => void)[] = []
  #disposed: Promise<void> | undefined
  /** Why the files went: the response was done first, or what `dispose()` was given. */
  #reason: Error | undefined

  /** `root` is the folder the spool's own temporary folder goes in. Nothing is created yet. */
  constructor(root: string) {
    this.#root = root
  }

  /**
   * Writes a file part to a new temporary file and resolves with a file-backed `File` (its bytes
   * stay on disk, valid until `dispose()`). Rejects if the part ends early or the spool is disposed
   * first; the file is then closed and removed by `dispose()`.
   */
  save(stream: Readable, name: string, type: string): Promise<File> {
    // Busboy destroys an unfinished part with an error; it reaches the form through busboy's own
    // `error`, and `copy()` sees the destroyed stream. Without a listener it would be uncaught.
    stream.on('error', () => {})
    if (this.#disposed) {
      stream.destroy()
      return Promise.reject(this.#reason)
    }
    this.#writers.add(stream)
    const saving = this.#write(stream, name, type).finally(() => {
      this.#writers.delete(stream)
      this.#saving.delete(saving)
    })
    this.#saving.add(saving)
    return saving
  }

  /** Settles once `dispose()` has removed everything, or `undefined` before it is called. */
  get removal(): Promise<void> | undefined {
    return this.#disposed
  }

  /** Runs `callback` (once, synchronously) when `dispose()` is first called, with why. */
  onDispose(callback: (reason: Error) => void): void {
    if (this.#disposed) callback(this.#reason!)
    else this.#onDispose.push(callback)
  }

  /**
   * Stops the files still being written, waits for every creation and write under way (one that
   * finishes later is cleaned too), closes every file and removes the folder once every promise in
   * `holds` has settled (what may still read the saved files; the array is read when they have all
   * been written, so a hold added until then counts). Idempotent; safe to call at any moment. A form
   * still being read fails with `reason`: by default `RH_ERR_FORM_ABANDONED`, the response having
   * been done before it.
   */
  dispose(reason: Error = abandoned(), holds: readonly Promise<void>[] = []): Promise<void> {
    if (this.#disposed) return this.#disposed
    this.#reason = reason
    this.#disposed = this.#cleanUp(holds)
    for (const callback of this.#onDispose.splice(0)) callback(reason)
    for (const stream of this.#writers) stream.destroy()
    return this.#disposed
  }

  async #cleanUp(holds: readonly Promise<void>[]): Promise<void> {
    // Let dispose() stop the writers first (the saves then settle promptly).
    await Promise.resolve()
    while (this.#saving.size > 0) await Promise.allSettled([...this.#saving])
    await Promise.all(holds)
    const folder = await this.#folder?.catch(() => undefined)
    if (folder !== undefined) await rm(folder, { recursive: true, force: true })
  }

  async #write(stream: Readable, name: string, type: string): Promise<File> {
    const folder = await (this.#folder ??= mkdtemp(join(this.#root, 'route-handlers-upload-')))
    if (this.#disposed) throw this.#reason
    const path = join(folder, String(this.#files++))
    const handle = await open(path, 'wx')
    try {
      await copy(stream, handle)
    } finally {
      await handle.close()
    }
    if (this.#disposed) throw this.#reason
    return diskFile(path, await openAsBlob(path, { type }), name, { type })
  }
}

/**
 * Writes a part's bytes to `handle` one chunk at a time, the part waiting while a write is under
 * way. Reads the stream by hand rather than with `pipeline()`: on Node 20 a pipeline from a part
 * busboy has already destroyed can stay pending forever, and its write stream's descriptor with it.
 */
async function copy(stream: Readable, handle: FileHandle): Promise<void> {
  for (let chunk = await nextChunk(stream); chunk !== null; chunk = await nextChunk(stream)) {
    // A write may take part of the chunk (as a write stream's does, it goes on with the rest).
    for (let offset = 0; offset < chunk.byteLength; ) offset += (await handle.write(chunk, offset)).bytesWritten
  }
}

/** The stream's next chunk, `null` at its end; rejects if it was destroyed before it ended. */
function nextChunk(stream: Readable): Promise<Buffer | null> {
  const chunk = stream.read() as Buffer | null
  if (chunk !== null) return Promise.resolve(chunk)
  if (stream.readableEnded) return Promise.resolve(null)
  if (stream.destroyed) return Promise.reject(routeHandlersError('RH_ERR_BODY_INCOMPLETE', ['a file part ended early']))
  return new Promise((resolve, reject) => {
    const retry = () => {
      stream.off('readable', retry).off('end', retry).off('close', retry)
      nextChunk(stream).then(resolve, reject)
    }
    stream.on('readable', retry).on('end', retry).on('close', retry)
  })
}

/** Why a save fails after the response was done. */
export function abandoned(): Error {
  return routeHandlersError('RH_ERR_FORM_ABANDONED', [])
}
