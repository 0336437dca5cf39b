import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseSegment, type Segment } from '../lib/segments.ts'

const cases: Array<[folder: string, expected: Partial<Segment> & { kind: Segment['kind'] }]> = [
  ['items', { kind: 'static', name: 'items' }],
  ['rss.xml', { kind: 'static', name: 'rss.xml' }],
  ['%5Fname', { kind: 'static', name: '_name' }],
  ['%5fname', { kind: 'static', name: '_name' }],
  ['[slug]', { kind: 'dynamic', name: 'slug' }],
  ['[...slug]', { kind: 'catch-all', name: 'slug' }],
  ['[[...slug]]', { kind: 'optional-catch-all', name: 'slug' }],
  ['(group)', { kind: 'group' }],
  ['_private', { kind: 'private' }],
  ['@slot', { kind: 'unsupported' }],
  ['(.)photo', { kind: 'unsupported' }],
  ['(..)photo', { kind: 'unsupported' }],
  ['(...)photo', { kind: 'unsupported' }],
  ['[[slug]]', { kind: 'unsupported' }],
  ['[]', { kind: 'unsupported' }],
  ['[.slug]', { kind: 'unsupported' }],
  ['[slug', { kind: 'unsupported' }],
  ['a]b', { kind: 'unsupported' }],
  // Clients disagree on these (WHATWG URL encodes them, curl does not): one folder, two paths.
  ['a^b', { kind: 'unsupported' }],
  ['x{y}', { kind: 'unsupported' }],
  ['a"b', { kind: 'unsupported' }],
  ['a<b>', { kind: 'unsupported' }],
  ['a`b', { kind: 'unsupported' }],
  ['a\\b', { kind: 'unsupported' }],
  ['a#b', { kind: 'unsupported' }],
  ['a?b', { kind: 'unsupported' }],
  ['a|b', { kind: 'static', name: 'a|b' }],
  ['100%', { kind: 'static', name: '100%' }],
]

for (const [folder, expected] of cases) {
  test(`folder "${folder}" is ${expected.kind}`, () => {
    const segment = parseSegment(folder)
    assert.equal(segment.kind, expected.kind)
    if ('name' in expected) assert.equal((segment as { name?: string }).name, expected.name)
    assert.equal(segment.folder, folder)
  })
}
