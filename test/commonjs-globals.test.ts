import { parse } from 'acorn'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { withCommonJsGlobals } from '../lib/load/commonjs-globals.ts'

// [module source, the names given to it]
const cases: Array<[source: string, given: string[]]> = [
  ["export function auth() { return require('server-only') }", ['require']],
  ['export const here = __dirname + __filename', ['__dirname', '__filename']],
  // Declared by the module itself, at its top level: left alone (review: the first two collided).
  ["import { fileURLToPath } from 'node:url'\nconst __filename = fileURLToPath(import.meta.url), __dirname = new URL('.', import.meta.url).pathname\nexport { __dirname }", []],
  ['var a = 1, require = null\nexport { a, require }', []],
  ["import m, { require } from 'x'\nexport { m, require }", []],
  ["import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\nexport const p = require('node:path')", []],
  // (`require:` there is a key, taken for a use: given, harmlessly.)
  ['const { require: own, ...rest } = globalThis\nlet [, __dirname = 1] = []\nexport { own, rest, __dirname }', ['require']],
  ['export function require() {}\nexport class __dirname {}', []],
  // Declared only in an inner scope, or as a var in a block: given at the top, no collision.
  ['export function f(require) { return require }\nexport const g = () => require', ['require']],
  ["if (true) { var require = null }\nexport const r = () => require('x')", ['require']],
  // A mention in a comment or a string gives it too: harmless.
  ["// use require('x') in CommonJS\nexport const n = 1", ['require']],
  ['export const s = "__filename"', ['__filename']],
  // Not a name of its own: a property, another identifier.
  ['export const r = module.require; export const x = myrequire', []],
]

for (const [source, given] of cases) {
  test(`withCommonJsGlobals(${JSON.stringify(source.slice(0, 70))})`, () => {
    const result = withCommonJsGlobals(source)
    const added = result === source ? [] : ['require', '__dirname', '__filename'].filter((name) => new RegExp(`var ${name} =`).test(result.slice(0, result.length - source.length)))
    assert.deepEqual(added, given)
    assert.doesNotThrow(() => parse(result, { ecmaVersion: 'latest', sourceType: 'module' }))
  })
}

test('a #! line stays first; lines keep their numbers', () => {
  const source = "#!/usr/bin/env node\nexport const r = require('x')\n"
  const result = withCommonJsGlobals(source)
  assert.match(result, /^#!\/usr\/bin\/env node\nimport \{ createRequire as __rhCreateRequire \}[^\n]*export const r = require\('x'\)\n$/)
  assert.equal(result.split('\n').length, source.split('\n').length)
})

test('a module acorn cannot parse is left as it is', () => {
  const source = 'export const r = require("x") +'
  assert.equal(withCommonJsGlobals(source), source)
})
