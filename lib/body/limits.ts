import { DEFAULT_BODY_TIMEOUT_MS, resolveBodyTimeout } from '../timeout-options.ts'
import { routeHandlersError } from '../errors.ts'

/** Limits on request bodies. Every one is an option; the defaults are safe for an API server. */
export interface BodyLimits {
  /**
   * Bytes a buffered read (`json()`, `text()`, `arrayBuffer()`, `blob()`, `bytes()`, `formData()`)
   * may take; more is a 413. Streaming `request.body` is not limited. Default: 1 MiB (Fastify: its
   * own `bodyLimit`).
   */
  bodyLimit: number
  /** Limits of `formData()` on multipart and urlencoded bodies (busboy's). */
  multipart: MultipartLimits
  /**
   * Milliseconds a body read may wait for the client's next bytes (Node hosts); then it fails with
   * `RH_ERR_BODY_TIMEOUT` (408) and the connection closes after the response. `0` for none.
   * Default: 60 s.
   */
  bodyTimeout: number
}

export interface MultipartLimits {
  /** Fields and files together. Default 1,000. */
  parts: number
  /** Non-file fields. Default 1,000. */
  fields: number
  /** Files. Default 100. */
  files: number
  /** Bytes of one field's value. Default 1 MiB. */
  fieldSize: number
  /** Bytes of one file. Default 100 MiB (reachable with `spool` or a larger `bodyLimit`). */
  fileSize: number
  /**
   * Write file parts to temporary files instead of memory, handing out file-backed `File`s that
   * stay readable until the response is done, then are closed and deleted (also after a limit
   * error, an early answer or a vanished client); file bytes then count against `fileSize` only,
   * not `bodyLimit`. `true` uses the OS temporary folder; a string names the folder (each request
   * gets its own `route-handlers-upload-*` folder in it). Default: off.
   */
  spool: boolean | string
}

/** Each of `T`'s properties optional, an explicit `undefined` meaning the default. */
export type OptionalOptions<T> = { [K in keyof T]?: T[K] | undefined }

export type BodyLimitOptions = OptionalOptions<Omit<BodyLimits, 'multipart'>> & { multipart?: OptionalOptions<MultipartLimits> | undefined }

const MiB = 1024 * 1024

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  bodyLimit: MiB,
  multipart: { parts: 1000, fields: 1000, files: 100, fieldSize: MiB, fileSize: 100 * MiB, spool: false },
  bodyTimeout: DEFAULT_BODY_TIMEOUT_MS,
}

/** The options merged over the defaults. */
export function resolveBodyLimits(options: BodyLimitOptions = {}, hostBodyLimit?: number): BodyLimits {
  return {
    bodyLimit: options.bodyLimit ?? hostBodyLimit ?? DEFAULT_BODY_LIMITS.bodyLimit,
    multipart: withDefaults(DEFAULT_BODY_LIMITS.multipart, options.multipart),
    bodyTimeout: resolveBodyTimeout(options.bodyTimeout),
  }
}

/** A form over one of its limits: 413, naming the limit. */
export function overLimit(limits: MultipartLimits, name: 'parts' | 'fields' | 'files' | 'fieldSize' | 'fileSize'): Error {
  return routeHandlersError('RH_ERR_FORM_LIMIT', [name, limits[name]])
}

// An explicit `undefined` keeps the default, as an omitted limit does (a spread would set it).
function withDefaults(defaults: MultipartLimits, given: OptionalOptions<MultipartLimits> = {}): MultipartLimits {
  const limits = { ...defaults }
  for (const [name, value] of Object.entries(given) as [keyof MultipartLimits, MultipartLimits[keyof MultipartLimits] | undefined][]) {
    if (value !== undefined) (limits as Record<keyof MultipartLimits, unknown>)[name] = value
  }
  return limits
}
