/**
 * A spooled upload's `File`. It is Node's file-backed `Blob` (`fs.openAsBlob`), so whatever reads
 * it natively (`new Blob([file])`, `structuredClone`) gets its bytes; its own reads — `text()`,
 * `arrayBuffer()`, `bytes()`, `stream()`, and those of its slices, which `new Response(file)`,
 * `fetch(url, { body: file })` and a `FormData` body call too — are made with `fs`. Reading a
 * file-backed Blob through Node's own reader makes every later V8 heap snapshot crash the process
 * (exit 139 on Node 20 through 26, found in a soak test): a snapshot taken to debug a server
 * (`v8.writeHeapSnapshot()`, `--heapsnapshot-signal`, the inspector) must not end it because it
 * once took an upload.
 */
import { open } from 'node:fs/promises'

/** Where a Blob's bytes are: `[start, end)` of the file at `path`. */
interface DiskRange {
  readonly path: string
  readonly start: number
  readonly end: number
}

/** A spooled upload's `File`: `blob` is the file-backed Blob of the whole file at `path` (`fs.openAsBlob`). */
export function diskFile(path: string, blob: Blob, name: string, options: FilePropertyBag): File {
  return readFromDisk(new File([blob], name, options), { path, start: 0, end: blob.size })
}

/**
 * `blob`, its bytes being `range`, with its own reads made from the file: methods of its own,
 * not enumerable, over the ones it inherits (it stays a plain `File` or `Blob` for every check).
 */
function readFromDisk<T extends Blob>(blob: T, range: DiskRange): T {
  return Object.defineProperties(blob, {
    stream: { value: () => rangeStream(range) },
    bytes: { value: () => rangeBytes(range) },
    arrayBuffer: { value: async () => (await rangeBytes(range)).buffer },
    text: { value: async () => new TextDecoder().decode(await rangeBytes(range)) },
    slice: { value: (start?: number, end?: number, contentType?: string) => sliceOf(blob, range, start, end, contentType) },
  })
}

// Blob's own slice (the native one, for native readers), reading the same range of the file.
function sliceOf(blob: Blob, range: DiskRange, start: number | undefined, end: number | undefined, contentType: string | undefined): Blob {
  const native = Blob.prototype.slice.call(blob, start, end, contentType)
  const from = range.start + relativeIndex(start ?? 0, blob.size)
  return readFromDisk(native, { path: range.path, start: from, end: from + native.size })
}

// The File API's relative start or end: negative counts from the end, clamped to the size.
function relativeIndex(index: number, size: number): number {
  return index < 0 ? Math.max(size + index, 0) : Math.min(index, size)
}

/** As Node's file streams read. */
const CHUNK_BYTES = 64 * 1024

/**
 * The range in chunks, each read by opening the file for it: a stream its reader drops half-way
 * holds no descriptor (Node would close one only when it is collected, with a warning).
 */
function rangeStream(range: DiskRange): ReadableStream<Uint8Array<ArrayBuffer>> {
  let position = range.start
  return new ReadableStream({
    async pull(controller) {
      if (position >= range.end) return controller.close()
      try {
        const chunk = await readRange(range.path, position, Math.min(CHUNK_BYTES, range.end - position))
        position += chunk.byteLength
        controller.enqueue(chunk)
      } catch (error) {
        controller.error(error)
      }
    },
  })
}

function rangeBytes(range: DiskRange): Promise<Uint8Array<ArrayBuffer>> {
  return readRange(range.path, range.start, range.end - range.start)
}

// Fails as a Blob's reads fail (NotReadableError: the file was removed once its request was done).
async function readRange(path: string, position: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(length)
  if (length === 0) return bytes
  let handle
  try {
    handle = await open(path, 'r')
    for (let offset = 0; offset < length; ) {
      const { bytesRead } = await handle.read(bytes, offset, length - offset, position + offset)
      if (bytesRead === 0) throw new Error(`${path} is shorter than the upload it held`)
      offset += bytesRead
    }
  } catch (error) {
    throw Object.assign(new DOMException('The blob could not be read', 'NotReadableError'), { cause: error })
  } finally {
    await handle?.close()
  }
  return bytes
}
