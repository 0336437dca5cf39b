import type { Logger } from './types.ts'

/** The default logger: the console. */
export const consoleLogger: Logger = {
  warn: (message) => console.warn(message),
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
  info: (message) => console.info(message),
}

/** A pino logger's methods (pino, pino-http's `req.log`, Fastify's `log`): `error` takes an object first. */
export interface PinoMethods {
  error(object: object, message?: string): void
  warn(message: string): void
  info(message: string): void
}

/** What tells a pino logger apart. */
interface PinoLike extends PinoMethods {
  child(bindings: object): unknown
  levels: { values: Record<string, number> }
}

/** True for a pino logger, whose `error(message, error)` would drop the error (pino reads it as a format argument). */
export function isPinoLike(logger: unknown): logger is PinoLike {
  const candidate = logger as Partial<PinoLike> | null | undefined
  return typeof candidate?.child === 'function' && typeof candidate.error === 'function' && typeof candidate.levels?.values === 'object'
}

/** A pino logger as the core's: the error under `err`, as pino serializes it (message and stack). */
export function pinoLogger(log: PinoMethods, forRequest?: (request: Request) => Logger | undefined): Logger {
  const logger: Logger = {
    warn: (message) => log.warn(message),
    error: (message, error) => log.error({ err: error }, message),
    info: (message) => log.info(message),
  }
  if (forRequest !== undefined) logger.forRequest = (request) => forRequest(request) ?? logger
  return logger
}

/** The `logger` option as the core calls it: a pino logger given as it is works too. */
export function optionLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return consoleLogger
  return isPinoLike(logger) ? pinoLogger(logger) : logger
}
