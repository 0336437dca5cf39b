import busboy from 'busboy'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { standardError } from '../errors.ts'
import { overLimit, type BodyLimits } from './limits.ts'
import { tooLarge } from './read-limited.ts'
import type { Spool } from './spool.ts'

/**
 * `formData()` for multipart bodies, parsed as a stream by busboy with every limit in `limits`.
 * Files are kept in memory, or written to temporary files by `spool` when one is given. Entries keep
 * the order their parts came in, as the Fetch standard's parser does, though a file part finishes
 * after a field that follows it.
 */
export function parseMultipart(body: ReadableStream<Uint8Array>, contentType: string, limits: BodyLimits, spool: Spool | null): Promise<FormData> {
  const { multipart } = limits
  return new Promise((resolve, reject) => {
    const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>)
    const entries: [name: string, value: string | Promise<File>][] = []
    let settled = false
    let counted = 0
    const openFiles = new Set<Readable>()
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      source.destroy()
      // The file part being read will never end now: end it, so nothing waits on it.
      for (const stream of openFiles) stream.destroy()
      reject(error)
    }
    // The spool is emptied once the response is done (or the client left): a form still being read
    // then cannot finish.
    spool?.onDispose(fail)
    // Without spooling, every byte of the body is in memory: the whole body counts. With it, only
    // field values do; file bytes count against `fileSize`.
    const count = (bytes: number) => {
      counted += bytes
      if (counted > limits.bodyLimit) fail(tooLarge(limits.bodyLimit, counted))
    }

    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        // Field names and filenames sent as raw UTF-8 (as browsers do) decode as undici decodes them.
        defParamCharset: 'utf8',
        // busboy's parts, fieldSize and fileSize limits are hit once its count reaches them (its
        // fields and files limits once a part goes past): one more, so a form exactly at a limit
        // is read whole, as `urlencoded.ts` reads one.
        limits: { parts: multipart.parts + 1, fields: multipart.fields, files: multipart.files, fieldSize: multipart.fieldSize + 1, fileSize: multipart.fileSize + 1 },
      })
    } catch (error) {
      return fail(malformed(error))
    }
    if (spool === null) source.on('data', (chunk: Uint8Array) => count(chunk.byteLength))

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(overLimit(multipart, 'fieldSize'))
      if (spool !== null) count(Buffer.byteLength(value))
      entries.push([partName(name), value])
    })
    parser.on('file', (name, stream, info) => {
      openFiles.add(stream)
      stream.once('close', () => openFiles.delete(stream))
      stream.once('limit', () => fail(overLimit(multipart, 'fileSize')))
      // busboy gives no filename for `filename=""`, which a browser sends for a file input left
      // empty: undici's File is named "" then, and code testing `file.name` for "none chosen" relies on it.
      const filename = unescapeName(info.filename ?? '')
      const file = spool === null ? fileInMemory(stream, filename, info.mimeType) : spool.save(stream, filename, info.mimeType)
      file.catch(fail)
      entries.push([partName(name), file])
    })
    parser.on('partsLimit', () => fail(overLimit(multipart, 'parts')))
    parser.on('filesLimit', () => fail(overLimit(multipart, 'files')))
    parser.on('fieldsLimit', () => fail(overLimit(multipart, 'fields')))
    parser.on('error', (error) => fail(malformed(error)))
    parser.on('close', () => {
      void Promise.all(entries.map(([, value]) => value)).then((values) => {
        if (settled) return
        settled = true
        const form = new FormData()
        values.forEach((value, index) => form.append(entries[index]![0], value))
        resolve(form)
      }, fail)
    })
    source.on('error', (error) => fail(error))
    source.pipe(parser)
  })
}

/** A part's name as undici reads it: busboy gives none for `name=""`. */
function partName(name: string | undefined): string {
  return name === undefined ? '' : unescapeName(name)
}

/**
 * Browsers escape `"`, CR and LF in the names and filenames of a multipart form as `%22`, `%0D`
 * and `%0A` (HTML's form encoding); undici turns them back, nothing else (a `%41` stays).
 */
function unescapeName(name: string): string {
  return name.includes('%') ? name.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%22/g, '"') : name
}

async function fileInMemory(stream: Readable, filename: string, type: string): Promise<File> {
  const chunks: Uint8Array<ArrayBuffer>[] = []
  for await (const chunk of stream) chunks.push(chunk as Uint8Array<ArrayBuffer>)
  return new File(chunks, filename, { type })
}

function malformed(error: unknown): Error {
  return standardError(TypeError, 'RH_ERR_BODY_MALFORMED_FORM', [], { cause: error })
}
