import { parse } from 'acorn'

type AnyNode = { type: string; [key: string]: unknown }

const NAMES = ['require', '__dirname', '__filename'] as const
type CommonJsGlobal = (typeof NAMES)[number]

const DEFINITIONS: Record<CommonJsGlobal, string> = {
  require: 'import { createRequire as __rhCreateRequire } from "node:module"; var require = __rhCreateRequire(import.meta.url);',
  __dirname: 'var __dirname = import.meta.dirname;',
  __filename: 'var __filename = import.meta.filename;',
}

/**
 * Next.js's bundler gives every server module `require`, `__dirname` and `__filename`; an ES
 * module has none of them. Defined for an ES module that uses one and does not declare it at its
 * top level, on the module's first line (after a `#!` line), so lines keep their numbers.
 *
 * As `var`, which any `var` or nested declaration of the module may redeclare; a top-level `let`,
 * `const`, `class`, `function` or import of the name (which a `var` would collide with, or
 * override) is found in the module's syntax tree, read only for a module that names one of them.
 * A module that does not parse is left as it is.
 */
export function withCommonJsGlobals(code: string): string {
  const used = NAMES.filter((name) => code.includes(name) && new RegExp(`(?<![.\\w$])${name}\\b`).test(code))
  if (used.length === 0) return code
  const declared = topLevelNames(code)
  if (declared === undefined) return code
  const prelude = used.filter((name) => !declared.has(name)).map((name) => DEFINITIONS[name]).join('')
  if (prelude === '') return code
  if (!code.startsWith('#!')) return prelude + code
  const lineEnd = code.indexOf('\n')
  return lineEnd === -1 ? code : `${code.slice(0, lineEnd + 1)}${prelude}${code.slice(lineEnd + 1)}`
}

function topLevelNames(code: string): Set<string> | undefined {
  let program: AnyNode
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true }) as unknown as AnyNode
  } catch {
    return undefined
  }
  const names = new Set<string>()
  for (const statement of program.body as AnyNode[]) declaredBy(statement, names)
  return names
}

function declaredBy(statement: AnyNode, names: Set<string>): void {
  switch (statement.type) {
    case 'VariableDeclaration':
      for (const declarator of statement.declarations as AnyNode[]) boundBy(declarator.id as AnyNode, names)
      return
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      if (statement.id) names.add((statement.id as { name: string }).name)
      return
    case 'ImportDeclaration':
      for (const specifier of statement.specifiers as AnyNode[]) names.add((specifier.local as { name: string }).name)
      return
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
      if (statement.declaration) declaredBy(statement.declaration as AnyNode, names)
  }
}

// The names a binding pattern declares: `a`, `{ a, b: c, ...d }`, `[a, , b = 1]`.
function boundBy(pattern: AnyNode | null, names: Set<string>): void {
  if (pattern === null) return
  switch (pattern.type) {
    case 'Identifier':
      names.add((pattern as unknown as { name: string }).name)
      return
    case 'ObjectPattern':
      for (const property of pattern.properties as AnyNode[]) boundBy((property.type === 'RestElement' ? property.argument : property.value) as AnyNode, names)
      return
    case 'ArrayPattern':
      for (const element of pattern.elements as (AnyNode | null)[]) boundBy(element, names)
      return
    case 'RestElement':
      boundBy(pattern.argument as AnyNode, names)
      return
    case 'AssignmentPattern':
      boundBy(pattern.left as AnyNode, names)
  }
}
