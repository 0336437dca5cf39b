/** Where a command writes: results on `info` (stdout), everything else on `warn`/`error` (stderr). */
export interface Output {
  info(text: string): void
  warn(text: string): void
  error(text: string): void
}
