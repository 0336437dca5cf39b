// After `tsc`: relative imports in the emitted declarations name `.js` files, as the emitted
// JavaScript does. tsc keeps the source's `./x.ts` there (rewriteRelativeImportExtensions rewrites
// only JavaScript); TypeScript's `moduleResolution: "node"` (node10, which older create-next-app
// tsconfigs still in use set) finds no `./x.ts` beside `x.d.ts`, and every re-export from it goes missing.
// `./x.js` finds `x.d.ts` under every resolution.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../dist', import.meta.url))
const relativeTs = /(\bfrom\s+|\bimport\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g

for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue
  const file = join(entry.parentPath, entry.name)
  const text = readFileSync(file, 'utf8')
  const rewritten = text.replace(relativeTs, '$1$2$3.js$2')
  if (rewritten !== text) writeFileSync(file, rewritten)
}
