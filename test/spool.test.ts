/**
 * The spool on its own: `dispose()` at any moment of a save — while its folder is being made, while
 * a write is under way, after the part was destroyed — leaves no file, folder or descriptor.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Spool } from '../lib/body/spool.ts'

const roots: string[] = []
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'route-handlers-spool-unit-'))
  roots.push(root)
  return root
}

const openDescriptors = () => (process.platform === 'linux' ? readdirSync('/proc/self/fd').length : 0)

async function until(condition: () => boolean, tries = 500): Promise<boolean> {
  for (let attempt = 0; attempt < tries; attempt++) {
    if (condition()) return true
    await sleep(10)
  }
  return condition()
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string }) => error.code)

test('spool: dispose() while the folder is being made removes it once made (issue 10 #7)', async () => {
  const root = newRoot()
  const spool = new Spool(root)
  const part = new PassThrough()
  const saved = codeOf(spool.save(part, 'a.txt', 'text/plain'))
  await spool.dispose()
  assert.deepEqual(readdirSync(root), [])
  assert.equal(await saved, 'RH_ERR_FORM_ABANDONED')
})

test('spool: dispose() while a write is under way closes and removes the file after the write (issue 10 #7)', async () => {
  const root = newRoot()
  const baseline = openDescriptors()
  const spool = new Spool(root)
  const part = new PassThrough()
  const saved = codeOf(spool.save(part, 'a.txt', 'text/plain'))
  part.write(Buffer.alloc(1024 * 1024, 1))
  assert.ok(await until(() => readdirSync(root).some((folder) => readdirSync(join(root, folder)).length > 0)))
  part.write(Buffer.alloc(1024 * 1024, 2))
  await spool.dispose()
  assert.deepEqual(readdirSync(root), [])
  assert.notEqual(await saved, 'resolved')
  assert.ok(openDescriptors() <= baseline, `${openDescriptors()} descriptors open, baseline ${baseline}`)
})

test('spool: a part destroyed before its file opens settles, and dispose() cleans up (issue 10 #6)', async () => {
  const root = newRoot()
  const baseline = openDescriptors()
  const spool = new Spool(root)
  const parts = Array.from({ length: 50 }, () => new PassThrough())
  const saved = parts.map((part) => codeOf(spool.save(part, 'a.txt', 'text/plain')))
  for (const part of parts) part.destroy(new Error('Unexpected end of form'))
  assert.deepEqual(new Set(await Promise.all(saved)), new Set(['RH_ERR_BODY_INCOMPLETE']))
  await spool.dispose()
  assert.deepEqual(readdirSync(root), [])
  assert.ok(openDescriptors() <= baseline, `${openDescriptors()} descriptors open, baseline ${baseline}`)
})

test('spool: a finished file stays readable until dispose(); dispose() is idempotent and refuses later saves', async () => {
  const root = newRoot()
  const spool = new Spool(root)
  const part = new PassThrough()
  const saved = spool.save(part, 'notes.txt', 'text/plain')
  part.end('hello')
  const file = await saved
  assert.equal(file.name, 'notes.txt')
  assert.equal(await file.text(), 'hello')
  const first = spool.dispose()
  assert.equal(spool.dispose(), first)
  await first
  assert.deepEqual(readdirSync(root), [])
  assert.equal(await codeOf(spool.save(new PassThrough(), 'late.txt', 'text/plain')), 'RH_ERR_FORM_ABANDONED')
  assert.deepEqual(readdirSync(root), [])
})
