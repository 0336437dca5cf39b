import { parse, type Node } from 'acorn'

/**
 * The names a CommonJS file exports through an object it assigns to `module.exports`, as Next's
 * bundler finds them (it reads `require(x).name` when the route runs). Node's lexer stops at the
 * first property whose value is not a name or a `require()`: node-postgres's long-documented
 * `module.exports = { query: (text, params) => pool.query(text, params), pool }` gives it nothing,
 * so `import { query } from '@/lib/db'` would not link. Read from the file's top-level statements:
 * - `module.exports = { … }` (also `exports = module.exports = { … }`) and `module.exports = db`
 *   where `db` is a top-level `const`/`let`/`var` holding an object literal;
 * - `Object.assign(module.exports, { … })` and `Object.assign(exports, { … })`;
 * - a UMD bundle's factory (`(function (global, factory) { … module["exports"] = factory() … }(this,
 *   function () { var bcrypt = {}; bcrypt.hash = …; return bcrypt }))`, bcryptjs 2): the keys of
 *   the object it returns, spelled in a literal or assigned one by one at the factory's top level.
 * Keys spelled out (`query:`, `pool`, `'name':`, methods, getters); computed and spread ones are
 * left to the lexer.
 */
export function objectExportNames(source: string): string[] {
  if (!MAY_ASSIGN_OBJECT.test(source)) return []
  let program: AnyNode
  try {
    program = parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true }) as unknown as AnyNode
  } catch {
    // Not a script acorn reads (an ES module, say): Node's own interop decides.
    return []
  }
  const objects = new Map<string, AnyNode>()
  const names = new Set<string>()
  for (const statement of program.body as AnyNode[]) {
    if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations as AnyNode[]) {
        const id = declarator.id as AnyNode
        const init = declarator.init as AnyNode | null
        if (id.type === 'Identifier' && init?.type === 'ObjectExpression') objects.set(id.name as string, init)
      }
    } else if (statement.type === 'ExpressionStatement') {
      for (const object of exportedObjects(statement.expression as AnyNode, objects)) addKeys(object, names)
      for (const name of umdFactoryExportNames(statement.expression as AnyNode)) names.add(name)
    }
  }
  return [...names]
}

// A cheap test before parsing: an assignment to `module.exports` (`module["exports"]` in UMD
// wrappers), or an `Object.assign` onto it.
const MAY_ASSIGN_OBJECT = /\bmodule(?:\.exports|\[\s*["']exports["']\s*\])\s*=|\bObject\.assign\s*\(\s*(?:module\.)?exports\b/

interface AnyNode extends Node {
  [key: string]: unknown
}

/** The object literals a top-level expression puts on `module.exports`. */
function exportedObjects(expression: AnyNode, objects: ReadonlyMap<string, AnyNode>): AnyNode[] {
  if (expression.type === 'AssignmentExpression') {
    let assigned = expression
    let exported = false
    // `exports = module.exports = { … }`: the value is at the end of the chain.
    while (assigned.type === 'AssignmentExpression' && assigned.operator === '=') {
      exported ||= isModuleExports(assigned.left as AnyNode)
      assigned = assigned.right as AnyNode
    }
    if (!exported) return []
    if (assigned.type === 'ObjectExpression') return [assigned]
    const named = assigned.type === 'Identifier' ? objects.get(assigned.name as string) : undefined
    return named ? [named] : []
  }
  if (expression.type === 'CallExpression' && isObjectAssign(expression.callee as AnyNode)) {
    const [target, ...sources] = expression.arguments as AnyNode[]
    if (target === undefined || !(isModuleExports(target) || isIdentifier(target, 'exports'))) return []
    return sources.filter((source) => source.type === 'ObjectExpression')
  }
  return []
}

/**
 * The names of a UMD wrapper call (`wrapper(this, factory)`, `!function (…) {…}(…)` too) whose
 * wrapper assigns `module.exports` the factory's result: the keys of the object the factory returns.
 */
function umdFactoryExportNames(expression: AnyNode): string[] {
  const call = expression.type === 'UnaryExpression' ? (expression.argument as AnyNode) : expression
  if (call.type !== 'CallExpression' || (call.callee as AnyNode).type !== 'FunctionExpression') return []
  const wrapper = call.callee as AnyNode
  const args = call.arguments as AnyNode[]
  const index = args.findIndex((arg) => arg.type === 'FunctionExpression' || arg.type === 'ArrowFunctionExpression')
  const param = (wrapper.params as AnyNode[])[index]
  if (index === -1 || param?.type !== 'Identifier' || !assignsResultTo(wrapper.body as AnyNode, param.name as string)) return []
  const factory = args[index]!
  const body = factory.body as AnyNode
  if (body.type !== 'BlockStatement') return body.type === 'ObjectExpression' ? keysOf(body) : []
  const statements = body.body as AnyNode[]
  const returned = statements.findLast((statement) => statement.type === 'ReturnStatement')?.argument as AnyNode | null | undefined
  if (!returned) return []
  if (returned.type === 'ObjectExpression') return keysOf(returned)
  if (returned.type !== 'Identifier') return []
  const names = new Set<string>()
  for (const statement of statements) {
    if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations as AnyNode[]) {
        if (isIdentifier(declarator.id as AnyNode, returned.name as string) && (declarator.init as AnyNode | null)?.type === 'ObjectExpression') addKeys(declarator.init as AnyNode, names)
      }
    } else if (statement.type === 'ExpressionStatement') {
      const name = assignedMember(statement.expression as AnyNode, returned.name as string)
      if (name !== undefined) names.add(name)
    }
  }
  return [...names]
}

// Somewhere in the wrapper: `module.exports = factory()` (or `module["exports"] = factory()`).
function assignsResultTo(node: AnyNode, factory: string): boolean {
  if (node.type === 'AssignmentExpression' && isModuleExports(node.left as AnyNode)) {
    const right = node.right as AnyNode
    if (right.type === 'CallExpression' && isIdentifier(right.callee as AnyNode, factory)) return true
  }
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value]
    for (const child of children) {
      if (child !== null && typeof child === 'object' && typeof (child as AnyNode).type === 'string' && assignsResultTo(child as AnyNode, factory)) return true
    }
  }
  return false
}

// `object.name = …` or `object["name"] = …`: the name.
function assignedMember(expression: AnyNode, object: string): string | undefined {
  if (expression.type !== 'AssignmentExpression' || expression.operator !== '=') return undefined
  const left = expression.left as AnyNode
  if (left.type !== 'MemberExpression' || !isIdentifier(left.object as AnyNode, object)) return undefined
  const property = left.property as AnyNode
  if (!left.computed && property.type === 'Identifier') return property.name as string
  return left.computed && property.type === 'Literal' && typeof property.value === 'string' ? property.value : undefined
}

function keysOf(object: AnyNode): string[] {
  const names = new Set<string>()
  addKeys(object, names)
  return [...names]
}

function addKeys(object: AnyNode, names: Set<string>): void {
  for (const property of object.properties as AnyNode[]) {
    if (property.type !== 'Property' || property.computed) continue
    const key = property.key as AnyNode
    if (key.type === 'Identifier') names.add(key.name as string)
    else if (key.type === 'Literal' && typeof key.value === 'string') names.add(key.value)
  }
}

function isModuleExports(node: AnyNode): boolean {
  if (node.type !== 'MemberExpression' || !isIdentifier(node.object as AnyNode, 'module')) return false
  const property = node.property as AnyNode
  return node.computed ? property.type === 'Literal' && property.value === 'exports' : isIdentifier(property, 'exports')
}

function isObjectAssign(node: AnyNode): boolean {
  return node.type === 'MemberExpression' && !node.computed && isIdentifier(node.object as AnyNode, 'Object') && isIdentifier(node.property as AnyNode, 'assign')
}

function isIdentifier(node: AnyNode, name: string): boolean {
  return node.type === 'Identifier' && node.name === name
}
