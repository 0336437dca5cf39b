import { parse, type Node } from 'acorn'

/**
 * The names a CommonJS file exports through an object it assigns to `module.exports`, as Next's
 * bundler finds them (it reads `require(x).name` when the route runs). Node's lexer stops at the
 * first property whose value is not a name or a `require()`: node-postgres's long-documented
 * `module.exports = { query: (text, params) => pool.query(text, params), pool }` gives it nothing,
 * so `import { query } from '@/lib/db'` would not link. Read from the file's top-level statements:
 * - `module.exports = { … }` (also `exports = module.exports = { … }`) and `module.exports = db`
 *   where `db` is a top-level `const`/`let`/`var` holding an object literal;
 * - `Object.assign(module.exports, { … })` and `Object.assign(exports, { … })`.
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
    }
  }
  return [...names]
}

// A cheap test before parsing: an assignment to `module.exports`, or an `Object.assign` onto it.
const MAY_ASSIGN_OBJECT = /\bmodule\.exports\s*=|\bObject\.assign\s*\(\s*(?:module\.)?exports\b/

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

function addKeys(object: AnyNode, names: Set<string>): void {
  for (const property of object.properties as AnyNode[]) {
    if (property.type !== 'Property' || property.computed) continue
    const key = property.key as AnyNode
    if (key.type === 'Identifier') names.add(key.name as string)
    else if (key.type === 'Literal' && typeof key.value === 'string') names.add(key.value)
  }
}

function isModuleExports(node: AnyNode): boolean {
  return node.type === 'MemberExpression' && !node.computed && isIdentifier(node.object as AnyNode, 'module') && isIdentifier(node.property as AnyNode, 'exports')
}

function isObjectAssign(node: AnyNode): boolean {
  return node.type === 'MemberExpression' && !node.computed && isIdentifier(node.object as AnyNode, 'Object') && isIdentifier(node.property as AnyNode, 'assign')
}

function isIdentifier(node: AnyNode, name: string): boolean {
  return node.type === 'Identifier' && node.name === name
}
