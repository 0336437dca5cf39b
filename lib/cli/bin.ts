#!/usr/bin/env node
/**
 * The `route-handlers` executable (package.json `bin`): `npx route-handlers routes`,
 * `npx route-handlers typegen`. See main.ts.
 */
import { main } from './main.ts'

// A development tool, as `next dev` is: route files see NODE_ENV=development unless it is set, and
// the core's development warnings (lowercase or default exports) show.
process.env.NODE_ENV ??= 'development'

const output = {
  info: (text: string) => void process.stdout.write(`${text}\n`),
  warn: (text: string) => void process.stderr.write(`${text}\n`),
  error: (text: string) => void process.stderr.write(`${text}\n`),
}

const code = await main(process.argv.slice(2), output)
// Route files may hold the event loop open (a database pool, a timer): exit once the output is out.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
