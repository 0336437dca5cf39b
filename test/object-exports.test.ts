import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { objectExportNames } from '../lib/load/object-exports.ts'

const lexer = createRequire(import.meta.url)('cjs-module-lexer') as typeof import('cjs-module-lexer')

// [source, the names Next's bundler finds and Node's lexer misses]
const cases: Array<[source: string, names: string[]]> = [
  // node-postgres's documented db module: the lexer stops at the first arrow function.
  ['module.exports = {\n  query: (text, params) => pool.query(text, params),\n  getClient: () => pool.connect(),\n  pool,\n}\n', ['query', 'getClient', 'pool']],
  ["module.exports = { async find(id) {}, get size() { return 1 }, 'with-dash': 1, [computed]: 2, ...rest }", ['find', 'size', 'with-dash']],
  ['const db = { query: () => 1, pool }\nmodule.exports = db\n', ['query', 'pool']],
  ['exports = module.exports = { start: function () {} }', ['start']],
  ['Object.assign(module.exports, { a: () => 1 }, { b: 2 })\nObject.assign(exports, { c: 3 })', ['a', 'b', 'c']],
  // UMD bundles (bcryptjs 2): the object the factory returns, assigned to module["exports"].
  [
    '(function(global, factory) {\n  if (typeof define === "function" && define["amd"]) define([], factory);\n  else if (typeof module === "object" && module && module["exports"]) module["exports"] = factory();\n  else global.lib = factory();\n}(this, function() {\n  var lib = { version: "1" };\n  lib.hash = function() {};\n  lib["compare"] = function() {};\n  function helper() { lib.inner = 1 }\n  return lib;\n}));',
    ['version', 'hash', 'compare'],
  ],
  ['!function (root, factory) { module.exports = factory() }(this, function () { return { a: 1, b() {} } })', ['a', 'b']],
  // A UMD wrapper that never gives module.exports the factory's result.
  ['(function (root, factory) { root.lib = factory() }(this, function () { return { a: 1 } }))', []],
  // Nothing the bundler would find either, or nothing to find.
  ['module.exports = createPool()', []],
  ['let later\nmodule.exports = later', []],
  ['function f() { module.exports = { inner: 1 } }', []],
  ['other.exports = { x: () => 1 }', []],
  ['export const esm = 1\nmodule.exports = { x: () => 1 }', []],
  ['module.exports = { x: () => 1 ', []],
]

for (const [source, names] of cases) {
  test(`objectExportNames(${JSON.stringify(source.slice(0, 60))})`, () => {
    assert.deepEqual(objectExportNames(source), names)
  })
}

test('the first case is one Node alone cannot link a named import of', () => {
  assert.deepEqual(lexer.parse(cases[0]![0]).exports, [])
})
