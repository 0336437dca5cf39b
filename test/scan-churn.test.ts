/**
 * Dev reload rescans the route folder on every change, so a scan can run while `rm -rf` is still
 * removing a folder (trial: deleting a route group logged `ENOENT` as a layout error). A folder that
 * goes between its parent's listing and its own holds no routes; the scan does not throw.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { test } from 'node:test'
import { scanRoutes } from '../lib/scan.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

// Makes and removes a route group of nested route folders, over and over, until killed.
const CHURN = `
const fs = require('node:fs')
const group = process.argv[1]
for (;;) {
  for (let i = 0; i < 20; i++) {
    fs.mkdirSync(group + '/d' + i + '/a/b', { recursive: true })
    fs.writeFileSync(group + '/d' + i + '/a/b/route.js', '')
  }
  fs.rmSync(group, { recursive: true, force: true })
}
`

test('a scan running while folders are removed finds what is left, and does not throw', async () => {
  const dir = tempRouteFolder({ 'kept/route.ts': 'export const GET = () => new Response("ok")\n' })
  const churn = spawn(process.execPath, ['-e', CHURN, join(dir, '(shop)')], { stdio: 'ignore' })
  try {
    let scans = 0
    // A number of scans, not a time: about 28 in 1,800 threw ENOENT before the fix.
    while (scans < 3000) {
      const routes = scanRoutes(dir)
      assert.ok(routes.some((route) => route.relativeFile === 'kept/route.ts'))
      scans++
    }
  } finally {
    churn.kill()
    await once(churn, 'exit')
  }
})
