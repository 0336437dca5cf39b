import type { Logger } from './types.ts'

/** The default logger: the console. */
export const consoleLogger: Logger = {
  warn: (message) => console.warn(message),
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
  info: (message) => console.info(message),
}
