// Makes sure `redis-server` is on PATH, for the tests that run the Redis cache store against a real
// server (test/helpers/redis-server.ts starts one per test file on a free port). Quick when it is
// there; otherwise installs Debian's package when running as root (CI, the dev machines), or exits
// non-zero with the command to run. `npm test` runs it first (`pretest`), and so does .ci/run.
import { spawnSync } from 'node:child_process'

const present = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0

if (!present()) {
  if (process.getuid?.() !== 0) {
    console.error('redis-server is not installed; the Redis cache tests need it. Run: sudo apt-get install -y redis-server')
    process.exit(1)
  }
  console.log('redis-server is not installed: apt-get install -y redis-server')
  const apt = (...args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0
  // A fresh machine's package lists may be missing or old: update them once if the install fails.
  if (!apt('install', '-y', 'redis-server') && !(apt('update') && apt('install', '-y', 'redis-server'))) {
    console.error('Could not install redis-server with apt-get; install it by hand: apt-get install -y redis-server')
    process.exit(1)
  }
  if (!present()) {
    console.error('redis-server was installed but is not on PATH')
    process.exit(1)
  }
}
