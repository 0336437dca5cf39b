import type { Logger } from '../../lib/types.ts'

/**
 * A logger that records each failure as `<request's path>: <message>` when the core logs it as one
 * request's (through `forRequest`), else as `app: <message>`.
 */
export function requestNamingLogger(): { lines: string[]; logger: Logger } {
  const lines: string[] = []
  const line = (who: string) => (_message: string, error?: unknown) => void lines.push(`${who}: ${(error as Error).message}`)
  const logger: Logger = {
    warn() {},
    error: line('app'),
    forRequest: (request) => ({ warn() {}, error: line(new URL(request.url).pathname) }),
  }
  return { lines, logger }
}
