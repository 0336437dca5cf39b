import { rm } from 'node:fs/promises'
import { routeHandlersError, standardError } from '../errors.ts'
import { NextRequest, type NextRequestInit } from '../next/next-request.ts'
import { parseFormData, type SpoolRecord } from './form-data.ts'
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './limits.ts'
import { readLimited } from './read-limited.ts'

export interface RouteRequestInit extends NextRequestInit {
  limits?: BodyLimits
  /**
   * Makes `request.signal` on first use. Hosts pass this instead of `signal`: a signal given to
   * the Request constructor costs more than the rest of the request together, and most handlers
   * never look at it.
   */
  lazySignal?: () => AbortSignal
}

const FORM_TYPES = /^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i

/**
 * The request handlers receive: a `NextRequest` whose buffered body reads obey the body limits
 * (413 past `bodyLimit`), whose `json()` answers malformed input with a 400 `SyntaxError`, and
 * whose `formData()` streams through busboy with multipart limits. Streaming `request.body` stays
 * unlimited. Everything else is the standard `Request`.
 */
export class RouteRequest extends NextRequest {
  readonly #limits: BodyLimits
  readonly #spooled: SpoolRecord = { dirs: [] }
  readonly #lazySignal: (() => AbortSignal) | undefined
  #signal: AbortSignal | undefined

  constructor(input: URL | RequestInfo, init: RouteRequestInit = {}) {
    const { limits, lazySignal, ...requestInit } = init
    super(input, requestInit)
    this.#limits = limits ?? DEFAULT_BODY_LIMITS
    this.#lazySignal = lazySignal
  }

  override get signal(): AbortSignal {
    if (this.#lazySignal === undefined) return super.signal
    return (this.#signal ??= this.#lazySignal())
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const body = this.#unreadBody()
    if (body === null) return new Uint8Array(0)
    return (await readLimited(body, this.#limits.bodyLimit, this.headers.get('content-length'))) as Uint8Array<ArrayBuffer>
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes()
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes())
  }

  override async json(): Promise<unknown> {
    const text = await this.text()
    try {
      return JSON.parse(text)
    } catch (error) {
      throw standardError(SyntaxError, 'RH_ERR_BODY_MALFORMED_JSON', [(error as Error).message], { cause: error })
    }
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' })
  }

  override async formData(): Promise<FormData> {
    const contentType = this.headers.get('content-type') ?? ''
    if (!FORM_TYPES.test(contentType)) {
      throw standardError(TypeError, 'RH_ERR_BODY_UNSUPPORTED_TYPE', [contentType === '' ? 'a body without a content-type' : contentType])
    }
    const body = this.#unreadBody()
    if (body === null) return new FormData()
    const spooling = this.#limits.multipart.spool !== false
    const declared = Number(this.headers.get('content-length') ?? NaN)
    if (!spooling && declared > this.#limits.bodyLimit) {
      await body.cancel().catch(() => {})
      throw routeHandlersError('RH_ERR_BODY_TOO_LARGE', [`the bodyLimit of ${this.#limits.bodyLimit} bytes`, declared])
    }
    return parseFormData(body, contentType, this.#limits, this.#spooled)
  }

  /** Deletes the temporary files of spooled uploads; hosts call it once the response is done. */
  async releaseUploads(): Promise<void> {
    const dirs = this.#spooled.dirs.splice(0)
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
  }

  #unreadBody(): ReadableStream<Uint8Array> | null {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read')
    return this.body
  }
}
