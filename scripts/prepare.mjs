// The `prepare` script: builds dist/ for `npm install` in a clone and for git installs (npm and pnpm
// run `prepare` there; Yarn runs `prepack`). npm also runs `prepare` for `npm pack` and
// `npm publish`, right after `prepack` has built, so those are skipped rather than built twice.
import { execFileSync } from 'node:child_process'

if (!['pack', 'publish'].includes(process.env.npm_command ?? '')) {
  // The package manager that runs this script, so its `run` finds the local tsc.
  execFileSync(process.execPath, [process.env.npm_execpath, 'run', 'build'], { stdio: 'inherit' })
}
