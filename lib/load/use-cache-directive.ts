import { createHash } from 'node:crypto'
import { parse, type Node } from 'acorn'
import { routeHandlersError } from '../errors.ts'

/**
 * The `"use cache"` directive (Next.js 15/16), compiled as Next's SWC transform does it in
 * spirit: each async function whose body starts with the directive — or, with the directive at the
 * top of the file, each exported async function — calls the cache wrapper with its arguments and
 * the variables it closes over (both part of the cache key), and runs its body only on a miss.
 *
 * The rewrite only inserts text and blanks the directive, never adds a line: the compiled file's
 * source map keeps pointing at the right lines.
 *
 * `__rhUseCache(kind, id, bound, args, fn, thisArg, source)` comes from
 * `private-next-rsc-cache-wrapper`, the module name Next's transform imports it from (an alias of
 * the graph). `source` is a hash of the file: Next keys entries by build id, so a deploy never
 * reads the entries of the code it replaced from a shared store; here a changed file does not.
 */

const DIRECTIVE = /^use cache(?::\s*([A-Za-z0-9_-]+))?$/
const WRAPPER = '__rhUseCache'
const IMPORT = `import { cache as ${WRAPPER} } from "private-next-rsc-cache-wrapper";`

interface AnyNode extends Node {
  [key: string]: unknown
}

interface FunctionNode extends AnyNode {
  type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression'
  async: boolean
  generator: boolean
  id?: AnyNode | null
  params: AnyNode[]
  body: AnyNode
}

interface Insertion {
  at: number
  text: string
}

/** True when the source may hold the directive (a cheap test before parsing). */
export function mayUseCache(code: string): boolean {
  return code.includes('use cache')
}

/**
 * `code` (an ES module) with its `"use cache"` functions wrapped; `moduleId` names the file in the
 * cache keys (stable across instances: a path relative to the project, say). Throws
 * `RH_ERR_USE_CACHE_INVALID` where Next's compiler fails the build.
 */
export function compileUseCache(code: string, moduleId: string, file: string): string {
  if (!mayUseCache(code)) return code
  let program: AnyNode
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, locations: true }) as unknown as AnyNode
  } catch {
    // Left to Node: a syntax error is reported with the file's name and place, and syntax acorn
    // does not know (Node 20's `import … assert { type: 'json' }`) still loads.
    return code
  }
  const fileKind = directiveKind(program.body as AnyNode[])
  const insertions: Insertion[] = []
  const blanks: Array<[number, number]> = []
  const cached = new Set<FunctionNode>()
  let source: string | undefined

  const instanceMethods = classInstanceMethods(program)
  if (fileKind !== undefined) {
    for (const fn of exportedFunctions(program, file)) cached.add(fn)
    blanks.push(...directiveRanges(program.body as AnyNode[]))
  }
  visit(program, [], (fn, ancestors) => {
    const kind = fn.body.type === 'BlockStatement' ? directiveKind(fn.body.body as AnyNode[]) : undefined
    const fromFile = cached.has(fn)
    if (kind === undefined && !fromFile) return
    if (!fn.async || fn.generator) throw invalid(file, fn, '"use cache" functions must be async functions.')
    // Next's compiler refuses these: `this` (an instance, its state) and the outer `arguments`
    // cannot be part of the key, so two callers that differ only there would share one entry.
    if (instanceMethods.has(fn)) {
      throw invalid(file, fn, 'It is not allowed to define inline "use cache" annotated class instance methods. To define cached functions, use functions, object method properties, or static class methods instead.')
    }
    const forbidden = forbiddenExpression(fn)
    if (forbidden) throw invalid(file, forbidden.node, `"use cache" functions cannot use \`${forbidden.expression}\`.`)
    if (kind !== undefined) blanks.push(...directiveRanges(fn.body.body as AnyNode[]))
    const id = `${moduleId}#${functionName(fn)}@${fn.start}`
    source ??= fileHash(code)
    const bound = capturedNames(fn, ancestors)
    const call = `${WRAPPER}(${JSON.stringify(kind ?? fileKind ?? 'default')}, ${JSON.stringify(id)}, [${bound.join(', ')}], `
    if (fn.type === 'ArrowFunctionExpression') {
      insertions.push({ at: fn.start, text: `((...__rhArgs) => ${call}__rhArgs, ` }, { at: fn.end, text: `, undefined, ${source}))` })
    } else {
      insertions.push({ at: fn.body.start + 1, text: `return ${call}arguments, async () => {` }, { at: fn.body.end - 1, text: `}, this, ${source});` })
    }
  })
  if (insertions.length === 0) return code
  return IMPORT + apply(code, insertions, blanks)
}

// The file's code without its inline source map, which names the file's absolute path: instances
// of one deployment in other folders (release directories, blue/green) share entries (review).
function fileHash(code: string): string {
  const mapAt = code.lastIndexOf('\n//# sourceMappingURL=')
  const hashed = mapAt === -1 ? code : code.slice(0, mapAt)
  return JSON.stringify(createHash('sha256').update(hashed).digest('base64url').slice(0, 16))
}

// The functions that are a class's (non-static) methods.
function classInstanceMethods(program: AnyNode): Set<AnyNode> {
  const methods = new Set<AnyNode>()
  const walk = (node: AnyNode): void => {
    if (node.type === 'MethodDefinition' && node.static !== true && node.kind === 'method' && isNode(node.value)) methods.add(node.value)
    for (const child of children(node)) walk(child)
  }
  walk(program)
  return methods
}

// The first `this`, `super` or `arguments` of `fn` itself: in its parameters and body, arrows
// included (they share them), not in the functions and classes it declares (they have their own).
function forbiddenExpression(fn: FunctionNode): { node: AnyNode; expression: string } | undefined {
  const find = (node: AnyNode): { node: AnyNode; expression: string } | undefined => {
    if (node !== fn && (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ClassBody')) return undefined
    if (node.type === 'ThisExpression') return { node, expression: 'this' }
    if (node.type === 'Super') return { node, expression: 'super' }
    if (node.type === 'Identifier') return node.name === 'arguments' ? { node, expression: 'arguments' } : undefined
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'label') continue
      if (key === 'property' && node.type === 'MemberExpression' && !node.computed) continue
      if (key === 'key' && (node.type === 'Property' || node.type === 'MethodDefinition' || node.type === 'PropertyDefinition') && !node.computed) continue
      const value = node[key]
      for (const child of Array.isArray(value) ? value : [value]) {
        const found = isNode(child) ? find(child) : undefined
        if (found) return found
      }
    }
    return undefined
  }
  return find(fn)
}

function directiveKind(body: AnyNode[]): string | undefined {
  for (const statement of body) {
    if (typeof statement.directive !== 'string') return undefined
    const match = DIRECTIVE.exec(statement.directive)
    if (match) return match[1] ?? 'default'
  }
  return undefined
}

function directiveRanges(body: AnyNode[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (const statement of body) {
    if (typeof statement.directive !== 'string') break
    if (DIRECTIVE.test(statement.directive)) ranges.push([statement.start, statement.end])
  }
  return ranges
}

// Next.js: in a `"use cache"` file every export must be an async function. esbuild declares them
// first and exports them at the end (`export { getPosts }`), so names are followed to their
// top-level declarations.
function exportedFunctions(program: AnyNode, file: string): FunctionNode[] {
  const statements = program.body as AnyNode[]
  const declared = new Map<string, AnyNode>()
  for (const statement of statements) {
    const declaration = statement.type.startsWith('Export') ? (statement.declaration as AnyNode | null) : statement
    if (declaration?.type === 'FunctionDeclaration' && isNode(declaration.id)) declared.set(declaration.id.name as string, declaration)
    if (declaration?.type === 'VariableDeclaration') {
      for (const item of declaration.declarations as AnyNode[]) {
        const id = item.id as AnyNode
        if (id.type === 'Identifier') declared.set(id.name as string, (item.init as AnyNode | null) ?? item)
      }
    }
  }
  const exported: AnyNode[] = []
  for (const statement of statements) {
    if (statement.type === 'ExportNamedDeclaration' && !statement.source) {
      const declaration = statement.declaration as AnyNode | null
      if (declaration?.type === 'VariableDeclaration') {
        for (const item of declaration.declarations as AnyNode[]) exported.push((item.init as AnyNode | null) ?? item)
      } else if (declaration) {
        exported.push(declaration)
      }
      for (const specifier of statement.specifiers as AnyNode[]) {
        const local = specifier.local as AnyNode
        exported.push(declared.get(local.name as string) ?? specifier)
      }
    }
    if (statement.type === 'ExportDefaultDeclaration') {
      const declaration = statement.declaration as AnyNode
      exported.push(declaration.type === 'Identifier' ? declared.get(declaration.name as string) ?? declaration : declaration)
    }
  }
  return exported.map((found) => {
    const node = followNames(found, declared)
    if (isFunction(node) && node.async) return node
    throw invalid(file, node, 'Only async functions are allowed to be exported in a "use cache" file.')
  })
}

// `export default three` compiles to `var stdin_default = three`: follow names to what they hold.
function followNames(node: AnyNode, declared: Map<string, AnyNode>): AnyNode {
  let current = node
  for (let hops = 0; current.type === 'Identifier' && hops < 8; hops++) current = declared.get(current.name as string) ?? current
  return current
}

function isFunction(node: AnyNode): node is FunctionNode {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression'
}

// Calls `onFunction` for every function, with the nodes around it (the program first).
function visit(node: AnyNode, ancestors: AnyNode[], onFunction: (fn: FunctionNode, ancestors: AnyNode[]) => void): void {
  if (isFunction(node)) onFunction(node, ancestors)
  const inner = [...ancestors, node]
  for (const child of children(node)) visit(child, inner, onFunction)
}

function children(node: AnyNode): AnyNode[] {
  const found: AnyNode[] = []
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue
    const value = node[key]
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) found.push(item)
    } else if (isNode(value)) {
      found.push(value)
    }
  }
  return found
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as AnyNode).type === 'string'
}

function functionName(fn: FunctionNode): string {
  return typeof fn.id?.name === 'string' ? fn.id.name : 'anonymous'
}

/**
 * The names `fn` reads that a scope around it declares, below the module's own scope: its closure,
 * which Next's compiler passes as bound arguments (part of the key). Only the scopes on the way
 * from the module to `fn` count (a sibling callback's parameter is not in scope there: reading it
 * would throw); module-level names are not closures (the module is one instance), but a
 * module-level block's are (a `for (const region of …)` loop). A name `fn` both reads from around
 * it and declares itself is counted: a larger key is safe, a smaller one is not.
 */
function capturedNames(fn: FunctionNode, ancestors: AnyNode[]): string[] {
  const inScope = new Set<string>()
  for (const scope of ancestors) if (scope.type !== 'Program') collectScope(scope, inScope)
  if (inScope.size === 0) return []
  const read = new Set<string>()
  collectReferences(fn, read)
  return [...read].filter((name) => inScope.has(name) && name !== 'arguments').sort()
}

// The names a node on the way to `fn` declares for what it contains.
function collectScope(scope: AnyNode, into: Set<string>): void {
  if (isFunction(scope)) {
    for (const param of scope.params) collectPattern(param, into)
    if (scope.type === 'FunctionExpression' && scope.id) into.add(scope.id.name as string)
    if (scope.body.type === 'BlockStatement') collectVars(scope.body, into)
  }
  if (scope.type === 'BlockStatement' || scope.type === 'StaticBlock') collectLexical(scope.body as AnyNode[], into)
  if (scope.type === 'SwitchStatement') for (const branch of scope.cases as AnyNode[]) collectLexical(branch.consequent as AnyNode[], into)
  if (scope.type === 'ForStatement' && isNode(scope.init)) collectLexical([scope.init], into)
  if ((scope.type === 'ForInStatement' || scope.type === 'ForOfStatement') && isNode(scope.left)) collectLexical([scope.left], into)
  if (scope.type === 'CatchClause' && isNode(scope.param)) collectPattern(scope.param, into)
  if ((scope.type === 'ClassDeclaration' || scope.type === 'ClassExpression') && isNode(scope.id)) into.add(scope.id.name as string)
}

// `let`, `const`, classes and functions declared directly in a block (block-scoped in a module).
function collectLexical(statements: AnyNode[], into: Set<string>): void {
  for (const statement of statements) {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      for (const declarator of statement.declarations as AnyNode[]) collectPattern(declarator.id as AnyNode, into)
    }
    if ((statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') && isNode(statement.id)) into.add(statement.id.name as string)
  }
}

// A function's `var`s, wherever they are in its body (hoisted), not those of functions inside it.
function collectVars(node: AnyNode, into: Set<string>): void {
  if (node.type === 'VariableDeclaration' && node.kind === 'var') {
    for (const declarator of node.declarations as AnyNode[]) collectPattern(declarator.id as AnyNode, into)
  }
  for (const child of children(node)) if (!isFunction(child)) collectVars(child, into)
}

function collectPattern(pattern: AnyNode, into: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier': into.add(pattern.name as string); break
    case 'AssignmentPattern': collectPattern(pattern.left as AnyNode, into); break
    case 'RestElement': collectPattern(pattern.argument as AnyNode, into); break
    case 'ArrayPattern': for (const item of pattern.elements as Array<AnyNode | null>) if (item) collectPattern(item, into); break
    case 'ObjectPattern':
      for (const property of pattern.properties as AnyNode[]) collectPattern((property.type === 'RestElement' ? property : property.value) as AnyNode, into)
      break
  }
}

// Identifiers read in `node`: not property names, keys or labels.
function collectReferences(node: AnyNode, into: Set<string>): void {
  if (node.type === 'Identifier') {
    into.add(node.name as string)
    return
  }
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue
    if (key === 'label') continue
    if (key === 'property' && node.type === 'MemberExpression' && !node.computed) continue
    if (key === 'key' && (node.type === 'Property' || node.type === 'MethodDefinition' || node.type === 'PropertyDefinition') && !node.computed) continue
    if (node.type === 'MetaProperty') continue
    const value = node[key]
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) collectReferences(item, into)
    } else if (isNode(value)) {
      collectReferences(value, into)
    }
  }
}

function apply(code: string, insertions: Insertion[], blanks: Array<[number, number]>): string {
  let out = code
  const edits = [
    ...blanks.map(([start, end]) => ({ at: start, end, text: ' '.repeat(end - start) })),
    ...insertions.map((insertion) => ({ ...insertion, end: insertion.at })),
  ].sort((a, b) => b.at - a.at || b.end - a.end)
  for (const edit of edits) out = out.slice(0, edit.at) + edit.text + out.slice(edit.end)
  return out
}

function invalid(file: string, node: AnyNode, message: string) {
  const start = node.loc as { start: { line: number; column: number } } | undefined
  const where = start ? `${file}:${start.start.line}:${start.start.column + 1}` : file
  return routeHandlersError('RH_ERR_USE_CACHE_INVALID', [where, message])
}
