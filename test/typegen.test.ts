/**
 * `npx route-handlers typegen`: the declaration file it writes gives Next.js 15.5's global
 * `RouteContext<'/items/[slug]'>` to route files written for Next, checked by tsc in strict mode in
 * a scratch project where the package is installed (a link to this repository), with both
 * resolutions Next projects use. Needs `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generateRouteTypes } from '../lib/typegen.ts'
import { tsconfigNotes } from '../lib/cli/tsconfig-check.ts'
import { tempRouteFolder } from './helpers/temp-routes.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'dist/lib/cli/bin.js')
const tsc = join(root, 'node_modules/typescript/bin/tsc')
let projects = 0
after(() => {
  for (let index = 0; index < projects; index++) rmSync(join(root, `test/.tmp/typegen-${process.pid}-${index}`), { recursive: true, force: true })
})

// Route files as Next 15.5's docs write them: RouteContext is a global, never imported.
const nextRoutes: Record<string, string> = {
  'app/items/[slug]/route.ts': `
import { NextResponse, type NextRequest } from 'next/server'
export async function GET(request: NextRequest, ctx: RouteContext<'/items/[slug]'>) {
  const { slug } = await ctx.params
  const upper: string = slug.toUpperCase()
  return NextResponse.json({ upper, q: request.nextUrl.searchParams.get('q') })
}
`,
  'app/files/[...path]/route.ts': `
export async function GET(_request: Request, ctx: RouteContext<'/files/[...path]'>) {
  const { path } = await ctx.params
  return new Response(path.join('/'))
}
`,
  'app/(docs)/docs/[[...slug]]/route.ts': `
export async function GET(_request: Request, { params }: RouteContext<'/docs/[[...slug]]'>) {
  const slug: string[] | undefined = (await params).slug
  return Response.json({ depth: slug?.length ?? 0 })
}
`,
  'app/route.ts': `
export async function GET(_request: Request, _ctx: RouteContext<'/'>) {
  return new Response('home')
}
`,
}

// The types the file exports, imported as from Next's .next/types/routes.d.ts.
const useTypes = `
import type { AppRouteHandlerRoutes, ParamsOf } from './route-types.js'
export const route: AppRouteHandlerRoutes = '/items/[slug]'
export const params: ParamsOf<'/files/[...path]'> = { path: ['a', 'b'] }
`

type Resolution = 'nodenext' | 'bundler' | 'node10' | 'classic'

/** A project in test/.tmp with route-handlers installed (linked), `files`, and a strict tsconfig. */
function project(files: Record<string, string>, resolution: Resolution = 'nodenext', include = ['**/*.ts']): string {
  const dir = join(root, `test/.tmp/typegen-${process.pid}-${projects++}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(root, join(dir, 'node_modules/route-handlers'), 'dir')
  const module = {
    nodenext: { module: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
    // The package is linked here, not installed: node10 finds the self-references in its
    // next-types file (`route-handlers/server`) only from the link's own path.
    node10: { module: 'commonjs', moduleResolution: 'node', preserveSymlinks: true },
    classic: { module: 'esnext', moduleResolution: 'classic' },
  }[resolution]
  const compilerOptions = { ...module, target: 'es2022', strict: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: true, lib: ['es2022', 'dom'], types: ['node'] }
  files = { 'tsconfig.json': JSON.stringify({ compilerOptions, include, exclude: ['node_modules'] }), ...files }
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), source)
  }
  return dir
}

function typegen(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, 'typegen', ...args], { cwd, encoding: 'utf8' })
}

/** tsc's diagnostics as `file(line,col): error TSxxxx`, or `[]` for a clean check. */
function typeErrors(cwd: string): string[] {
  const result = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd, encoding: 'utf8' })
  return result.stdout.split('\n').filter((line) => /error TS\d+/.test(line))
}

describe('route-handlers typegen', () => {
  // node10 (`moduleResolution: "node"`: older create-next-app tsconfigs, still in many apps):
  // package.json `typesVersions` gives it the subpaths its resolution cannot read from `exports`.
  for (const resolution of ['nodenext', 'bundler', 'node10'] as const) {
    test(`Next 15.5 route files using the global RouteContext<'/items/[slug]'> type-check in strict mode after typegen (${resolution}) (issue 11)`, () => {
      // With the quick start's next-types line too: the two declare one RouteContext.
      const dir = project({ ...nextRoutes, 'next-env.d.ts': '/// <reference types="route-handlers/next-types" />\n', 'use.ts': useTypes }, resolution)
      const result = typegen(dir)
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stderr, '')
      assert.match(result.stdout, /wrote route-types\.d\.ts \(4 routes\)/)
      assert.deepEqual(typeErrors(dir), [])
    })
  }

  // `npm run typecheck` checks it with the next-types line alone (examples/typed-routes/tsconfig.json).
  for (const resolution of ['nodenext', 'bundler', 'node10'] as const) {
    test(`README's typed route (examples/typed-routes) type-checks after typegen alone, without the next-types line (${resolution}) (issue 11)`, () => {
      const routeFile = 'app/items/[slug]/route.ts'
      const dir = project({ [routeFile]: readFileSync(join(root, 'examples/typed-routes', routeFile), 'utf8') }, resolution)
      assert.equal(typegen(dir).status, 0)
      assert.deepEqual(typeErrors(dir), [])
    })
  }

  test('after typegen, a path the folder does not serve and a param it does not have are errors, as in Next', () => {
    const dir = project({
      ...nextRoutes,
      'app/wrong/route.ts': `
export async function GET(_request: Request, ctx: RouteContext<'/item/[slug]'>) {
  return new Response(String(ctx))
}
export async function POST(_request: Request, ctx: RouteContext<'/items/[slug]'>) {
  const { id } = await ctx.params
  return new Response(id)
}
`,
    })
    assert.equal(typegen(dir).status, 0)
    const errors = typeErrors(dir)
    assert.equal(errors.length, 2, errors.join('\n'))
    assert.match(errors[0]!, /app\/wrong\/route\.ts\(2,\d+\): error TS2344/)
    assert.match(errors[1]!, /app\/wrong\/route\.ts\(6,\d+\): error TS2339/)
  })

  test('without typegen, route-handlers/next-types alone declares RouteContext, its params read from the path', () => {
    const dir = project({
      ...nextRoutes,
      'next-env.d.ts': '/// <reference types="route-handlers/next-types" />\n',
      'app/params/route.ts': `
export async function GET(_request: Request, ctx: RouteContext<'/a/[id]/[...rest]/[[...more]]'>) {
  const { id, rest, more } = await ctx.params
  const checked: [string, string[], string[] | undefined] = [id, rest, more]
  // @ts-expect-error: not a param of this path
  void (await ctx.params).other
  return Response.json(checked)
}
`,
    })
    assert.deepEqual(typeErrors(dir), [])
  })

  test('the file mirrors Next 15.5 routes.d.ts: AppRouteHandlerRoutes, ParamMap in its notation, ParamsOf', () => {
    const text = generateRouteTypes(['/items/[slug]', '/', '/docs/[[...slug]]', '/files/[...path]'], 'npx route-handlers typegen app')
    assert.ok(text.includes('type AppRouteHandlerRoutes = "/" | "/docs/[[...slug]]" | "/files/[...path]" | "/items/[slug]"\n'))
    assert.ok(
      text.includes(
        [
          'interface ParamMap {',
          '  "/": {}',
          '  "/docs/[[...slug]]": { "slug"?: string[]; }',
          '  "/files/[...path]": { "path": string[]; }',
          '  "/items/[slug]": { "slug": string; }',
          '}',
        ].join('\n'),
      ),
    )
    assert.ok(text.includes('export type ParamsOf<Route extends Routes> = ParamMap[Route]\n'))
    assert.ok(text.includes('export type { AppRoutes, PageRoutes, LayoutRoutes, RedirectRoutes, RewriteRoutes, ParamMap, AppRouteHandlerRoutes }\n'))
  })

  test('moduleResolution "classic" gets a message saying why next-types cannot be found and what to set (issue 11)', () => {
    const dir = project(nextRoutes, 'classic')
    const result = typegen(dir)
    assert.equal(result.status, 0)
    assert.match(result.stderr, /tsconfig\.json resolves modules as "classic"/)
    assert.match(result.stderr, /"moduleResolution": "bundler"/)
    // What TypeScript itself says there, with no hint: the reason for the message.
    assert.ok(typeErrors(dir).some((line) => /TS2688|TS2307|TS2305/.test(line)))
  })

  test('module "esnext" without moduleResolution: a note under TypeScript 5 (classic), none under TypeScript 6+ (which reads exports there)', () => {
    const noteFor = (module: string, typescriptVersion: string) => {
      const dir = tempRouteFolder({
        'tsconfig.json': JSON.stringify({ compilerOptions: { module, strict: true } }),
        'node_modules/typescript/package.json': JSON.stringify({ name: 'typescript', version: typescriptVersion }),
      })
      return tsconfigNotes(join(dir, 'route-types.d.ts'), undefined, join(dir, 'app'))
    }
    assert.match(noteFor('esnext', '5.9.3').join('\n'), /resolves modules as "classic"/)
    assert.deepEqual(noteFor('esnext', '7.0.2'), [])
    // node10 there: typesVersions serves it.
    assert.deepEqual(noteFor('commonjs', '5.9.3'), [])
  })

  // Trial: `npm init -y` (npm 11 writes "type": "commonjs") and `tsc --init` (verbatimModuleSyntax,
  // module nodenext) gave every route file TS1287, with typegen saying nothing.
  test('verbatimModuleSyntax under module nodenext in a CommonJS package, or under module commonjs: a note; none for "type": "module" under nodenext, or without the option', () => {
    const noteFor = (type: string | undefined, verbatimModuleSyntax: boolean, module = 'nodenext') => {
      const dir = tempRouteFolder({
        'tsconfig.json': JSON.stringify({ compilerOptions: { module, verbatimModuleSyntax, strict: true } }),
        'package.json': JSON.stringify(type === undefined ? { name: 'x' } : { name: 'x', type }),
        'app/x/route.ts': 'export const GET = () => new Response()\n',
      })
      return tsconfigNotes(join(dir, 'route-types.d.ts'), undefined, join(dir, 'app')).join('\n')
    }
    assert.match(noteFor('commonjs', true), /sets "verbatimModuleSyntax"[^]*TS1287[^]*\{ "type": "module" \}/)
    assert.match(noteFor(undefined, true), /TS1287/)
    assert.doesNotMatch(noteFor('module', true), /TS1287/)
    assert.doesNotMatch(noteFor('commonjs', false), /TS1287/)
    // Under module commonjs the package's type does not help (review).
    assert.match(noteFor('module', true, 'commonjs'), /"module": "commonjs"[^]*TS1287[^]*Leave verbatimModuleSyntax off/)
  })

  test('a tsconfig that does not include the file is named', () => {
    const dir = project(nextRoutes, 'nodenext', ['app'])
    const result = typegen(dir)
    assert.equal(result.status, 0)
    assert.match(result.stderr, /does not include route-types\.d\.ts/)
  })

  test('--out names the file; a file typegen did not write is left alone (exit 1)', () => {
    const dir = project({ ...nextRoutes, 'types/routes.d.ts': 'export {}\n' })
    const refused = typegen(dir, 'app', '--out', 'types/routes.d.ts')
    assert.equal(refused.status, 1)
    assert.equal(readFileSync(join(dir, 'types/routes.d.ts'), 'utf8'), 'export {}\n')
    assert.equal(typegen(dir, 'app', '--out', 'types/route-types.d.ts').status, 0)
    assert.equal(typegen(dir, 'app', '--out', 'types/route-types.d.ts').status, 0, 'its own file is rewritten')
    assert.match(readFileSync(join(dir, 'types/route-types.d.ts'), 'utf8'), /--out types\/route-types\.d\.ts\)\n/)
  })

  test("a file typegen wrote for another route folder is rewritten with a warning naming both (trial: an app with a folder per mount)", () => {
    const dir = project({ ...nextRoutes, 'orders/items/route.ts': 'export const GET = () => new Response()\n' })
    assert.equal(typegen(dir, 'app').stderr.includes('held the routes of'), false)
    assert.equal(typegen(dir, 'app').stderr.includes('held the routes of'), false, 'its own folder again')
    // The same folder from another working directory is the same folder (review).
    mkdirSync(join(dir, 'sub'), { recursive: true })
    assert.equal(typegen(join(dir, 'sub'), '../app', '--out', '../route-types.d.ts').stderr.includes('held the routes of'), false)
    const other = typegen(dir, 'orders')
    assert.equal(other.status, 0)
    assert.match(other.stderr, /route-types\.d\.ts held the routes of app, and now holds those of orders only\. Give each route folder its own file/)
    assert.match(readFileSync(join(dir, 'route-types.d.ts'), 'utf8'), /^\/\/ Route folder: "orders"$/m)
  })

  test('--out into a folder not made yet makes it (trial: an uncaught ENOENT); outside the project, the note says the tsconfig does not include it', () => {
    const dir = project(nextRoutes)
    const made = typegen(dir, 'app', '--out', 'types/generated/routes.d.ts')
    assert.equal(made.status, 0, made.stderr)
    assert.match(readFileSync(join(dir, 'types/generated/routes.d.ts'), 'utf8'), /--out types\/generated\/routes\.d\.ts\)\n/)
    const elsewhere = join(tempRouteFolder({}), 'routes.d.ts')
    const outside = typegen(dir, 'app', '--out', elsewhere)
    assert.equal(outside.status, 0)
    assert.match(outside.stderr, /does not include .*routes\.d\.ts/)
  })

  // Trial (a monorepo's API app, `apps/legacy`, typing the web app's routes): the file went to the
  // working directory, which the web app's tsconfig does not include.
  test('from another folder, the file goes beside the route files\' tsconfig, where it type-checks them', () => {
    const web = project(nextRoutes)
    const legacy = join(web, 'elsewhere/legacy')
    mkdirSync(legacy, { recursive: true })
    const result = typegen(legacy, '../../app')
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout + result.stderr, /wrote \.\.\/\.\.\/route-types\.d\.ts/)
    assert.doesNotMatch(result.stderr, /does not include/)
    assert.equal(existsSync(join(legacy, 'route-types.d.ts')), false)
    assert.deepEqual(typeErrors(web), [])
  })

  test('a folder layout error exits 1 and writes nothing', () => {
    const dir = project({ 'app/(a)/x/route.ts': 'export {}\n', 'app/(b)/x/route.ts': 'export {}\n' })
    const result = typegen(dir)
    assert.equal(result.status, 1)
    assert.match(result.stderr, /\(a\)\/x\/route\.ts/)
    assert.throws(() => readFileSync(join(dir, 'route-types.d.ts')), { code: 'ENOENT' })
  })
})
