import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { transformSync } from 'esbuild'
import { compileUseCache } from '../lib/load/use-cache-directive.ts'

interface Call {
  kind: string
  id: string
  bound: unknown[]
  args: unknown[]
  source: string
}

// Compiles TypeScript as the loader does, then the directive, and imports the result with a
// recording stand-in for the cache wrapper.
async function load(source: string): Promise<{ module: Record<string, unknown>; calls: Call[]; code: string }> {
  const compiled = transformSync(source, { loader: 'ts', format: 'esm' }).code
  const code = compileUseCache(compiled, 'lib/data.ts', '/project/lib/data.ts')
  const folder = mkdtempSync(join(tmpdir(), 'use-cache-'))
  const calls: Call[] = []
  const key = `calls${Math.random().toString(36).slice(2)}`
  ;(globalThis as Record<string, unknown>)[key] = calls
  writeFileSync(join(folder, 'wrapper.mjs'), `export function cache(kind, id, bound, args, fn, thisArg, source) {
    globalThis.${key}.push({ kind, id, bound, args: [...args], source })
    return fn.apply(thisArg, args)
  }`)
  writeFileSync(join(folder, 'module.mjs'), code.replace('"private-next-rsc-cache-wrapper"', JSON.stringify('./wrapper.mjs')))
  const module = (await import(pathToFileURL(join(folder, 'module.mjs')).href)) as Record<string, unknown>
  return { module, calls, code }
}

test('a function with the directive goes through the wrapper with its arguments; its body runs with them', async () => {
  const { module, calls } = await load(`
    export async function getPost(id: string, options = { full: true }) {
      'use cache'
      return { id, full: options.full }
    }
    export async function plain(id: string) { return id }
  `)
  assert.deepEqual(await (module.getPost as (id: string) => Promise<unknown>)('a'), { id: 'a', full: true })
  assert.equal(await (module.plain as (id: string) => Promise<unknown>)('b'), 'b')
  assert.equal(calls.length, 1)
  assert.equal(calls[0]!.kind, 'default')
  assert.match(calls[0]!.id, /^lib\/data\.ts#getPost@\d+$/)
  assert.deepEqual(calls[0]!.args, ['a'])
  assert.deepEqual(calls[0]!.bound, [])
})

test('arrow functions and object methods keep their parameters; the kind after "use cache:" is passed', async () => {
  const { module, calls } = await load(`
    export const sum = async (a: number, { b }: { b: number }, ...rest: number[]) => {
      'use cache'
      return a + b + rest.length
    }
    const BASE = 10
    export const box = {
      async add(n: number) {
        'use cache: private'
        return BASE + n
      },
    }
  `)
  assert.equal(await (module.sum as (...args: unknown[]) => Promise<number>)(1, { b: 2 }, 7, 8), 5)
  assert.equal(await (module.box as { add(n: number): Promise<number> }).add(5), 15)
  assert.deepEqual(calls.map((call) => [call.kind, call.args]), [['default', [1, { b: 2 }, 7, 8]], ['private', [5]]])
  assert.equal((module.sum as { name: string }).name, 'sum')
})

test('variables a nested cached function closes over are passed as bound values (part of the key)', async () => {
  const { module, calls } = await load(`
    const moduleLevel = 1
    export function makeLoader(tenant: string) {
      const region = 'eu'
      return async (id: string) => {
        'use cache'
        return [moduleLevel, tenant, region, id].join(':')
      }
    }
  `)
  const loader = (module.makeLoader as (tenant: string) => (id: string) => Promise<string>)('acme')
  assert.equal(await loader('7'), '1:acme:eu:7')
  assert.deepEqual(calls[0]!.bound, ['eu', 'acme'])
})

test('a "use cache" file wraps every export, which must all be async functions (as Next.js requires)', async () => {
  const { module, calls } = await load(`
    'use cache'
    export async function one() { return 1 }
    export const two = async () => 2
    async function three() { return 3 }
    export default three
  `)
  assert.equal(await (module.one as () => Promise<number>)(), 1)
  assert.equal(await (module.two as () => Promise<number>)(), 2)
  assert.equal(await (module.default as () => Promise<number>)(), 3)
  assert.equal(calls.length, 3)

  assert.throws(() => compileUseCache(transformSync(`'use cache'\nexport const limit = 10`, { loader: 'ts', format: 'esm' }).code, 'x', '/p/x.ts'), {
    code: 'RH_ERR_USE_CACHE_INVALID',
    message: /^\/p\/x\.ts:\d+:\d+: Only async functions are allowed to be exported in a "use cache" file\.$/,
  })
})

test('a synchronous function with the directive fails the load with Next.js\'s message and its position', () => {
  assert.throws(() => compileUseCache('export function total() {\n  "use cache"\n  return 1\n}\n', 'x', '/p/x.js'), {
    code: 'RH_ERR_USE_CACHE_INVALID',
    message: '/p/x.js:1:8: "use cache" functions must be async functions.',
  })
})

test('the rewrite adds no line, so stacks and source maps keep their lines; files without the directive are untouched', async () => {
  const source = `export async function a() {\n  'use cache'\n  return new Error('here').stack\n}\n`
  const { code } = await load(source)
  assert.equal(code.split('\n').length, transformSync(source, { loader: 'ts', format: 'esm' }).code.split('\n').length)
  const untouched = 'export const note = "we do not use caches"\n'
  assert.equal(compileUseCache(untouched, 'x', '/p/x.js'), untouched)
})

// Review of issue 12: `this` and the outer `arguments` are not in the key, so two instances (two
// users' services, say) shared one entry. Next's compiler refuses them, and instance methods.
test('this, super and arguments in a "use cache" function, and "use cache" instance methods, fail the load as in Next.js', () => {
  const compile = (source: string) => () => compileUseCache(transformSync(source, { loader: 'ts', format: 'esm' }).code, 'x', '/p/x.ts')
  const cases: Array<[string, RegExp]> = [
    ['export class Account { constructor(public user: string) {} async balance() { "use cache"; return this.user } }', /class instance methods/],
    ['export const o = { user: "a", async m() { "use cache"; return this.user } }', /cannot use `this`/],
    ['export class A { static async all() { "use cache"; return this.name } }', /cannot use `this`/],
    ['export function outer() { return async () => { "use cache"; return arguments[0] } }', /cannot use `arguments`/],
    ['export async function f() { "use cache"; const g = async () => this; return g() }', /cannot use `this`/],
    ['class B { static n() { return 1 } }\nexport class C extends B { static async m() { "use cache"; return super.n() } }', /cannot use `super`/],
  ]
  for (const [source, message] of cases) assert.throws(compile(source), { code: 'RH_ERR_USE_CACHE_INVALID', message }, source)
  // Their own functions and classes have their own `this` and `arguments`; static methods are fine.
  assert.doesNotThrow(compile('export class A { static async m(id: string) { "use cache"; function f() { return arguments.length } return [id, f(), { arguments: 1 }.arguments] } }'))
})

// Review of issue 12: names declared beside a cached function (a sibling callback's parameter, a
// catch clause) were passed as its closure: the bound list read a name not in scope there.
test('only names in scope where the cached function is defined are bound: a sibling\'s parameter or catch clause is not', async () => {
  const { module, calls } = await load(`
    export async function handler(ids: string[]) {
      const doubled = ids.map((item) => item + item)
      try { JSON.parse('{') } catch (error) { void error }
      const load = async (id: string) => {
        'use cache'
        try { return [id, ...[1].map((item) => item)] } catch (error) { return [String(error)] }
      }
      return [doubled, await load('a')]
    }
  `)
  assert.deepEqual(await (module.handler as (ids: string[]) => Promise<unknown>)(['x']), [['xx'], ['a', 1]])
  assert.deepEqual(calls[0]!.bound, [])
})

test('a cached function in a module-level loop closes over the loop\'s variable (part of its key)', async () => {
  const { module, calls } = await load(`
    export const loaders: Record<string, (id: string) => Promise<string>> = {}
    for (const region of ['eu', 'us']) {
      loaders[region] = async (id: string) => {
        'use cache'
        return region + ':' + id
      }
    }
  `)
  const loaders = module.loaders as Record<string, (id: string) => Promise<string>>
  assert.equal(await loaders.eu!('1'), 'eu:1')
  assert.equal(await loaders.us!('1'), 'us:1')
  assert.deepEqual(calls.map((call) => call.bound), [['eu'], ['us']], 'two regions, two keys')
})

// Next.js keys "use cache" entries by build id: a deploy sharing a store (Redis) with the one it
// replaces never reads the entries of the old code. Here the file's hash is part of the key.
test('each call passes a hash of its file: the same file, the same hash; a change anywhere in the file, another', async () => {
  const file = (body: string) => `
    export async function getPost(id: string) {
      'use cache'
      return { id, ${body} }
    }
    export const arrow = async (id: string) => {
      'use cache'
      return id
    }
  `
  const first = await load(file('v: 1'))
  const again = await load(file('v: 1'))
  const changed = await load(file('v: 2'))
  const sources = []
  for (const { module, calls } of [first, again, changed]) {
    await (module.getPost as (id: string) => Promise<unknown>)('a')
    await (module.arrow as (id: string) => Promise<unknown>)('a')
    assert.equal(calls.length, 2)
    assert.match(calls[0]!.source, /^[\w-]{16}$/)
    assert.equal(calls[1]!.source, calls[0]!.source, 'one hash for the whole file, arrows included')
    sources.push(calls[0]!.source)
  }
  assert.equal(sources[1], sources[0])
  assert.notEqual(sources[2], sources[0])
})

test('the file hash leaves out the inline source map, which names the absolute path: one file in two folders, one hash', () => {
  const source = "export async function get() {\n  'use cache'\n  return 1\n}\n"
  const compiledIn = (folder: string) => transformSync(source, { loader: 'ts', format: 'esm', sourcemap: 'inline', sourcefile: `${folder}/lib/data.ts` }).code
  const hashOf = (compiled: string) => /, this, ("[\w-]+")\);/.exec(compileUseCache(compiled, 'lib/data.ts', '/x/lib/data.ts'))?.[1]
  const [a, b] = [compiledIn('/srv/releases/a'), compiledIn('/srv/releases/b')]
  assert.notEqual(a, b, 'the source maps differ')
  assert.ok(hashOf(a))
  assert.equal(hashOf(b), hashOf(a))
})
