/**
 * The spool on its own: `dispose()` at any moment of a save — while its folder is being made, while
 * a write is under way, after the part was destroyed — leaves no file, folder or descriptor.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
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

// Soak trial: once a spooled upload had been read, every V8 heap snapshot crashed the process
// (exit 139): Node's reader of file-backed Blobs (`fs.openAsBlob`). The file's own reads go
// through `fs`, with the same answers as the Blob's.
test("spool: a file's reads and its slices' read the bytes written, as a Blob's would", async () => {
  const root = newRoot()
  const spool = new Spool(root)
  const part = new PassThrough()
  const saved = spool.save(part, 'data.bin', 'application/octet-stream')
  const bytes = Buffer.from('\uFEFFhello, spooled world ✓')
  part.end(bytes)
  const file = await saved
  const native = new Blob([bytes])
  assert.ok(file instanceof File)
  assert.equal(file.size, bytes.byteLength)
  assert.equal(await file.text(), await native.text())
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes)
  assert.deepEqual(Buffer.from(await file.bytes()), bytes)
  assert.deepEqual(Buffer.from(await new Response(file.stream()).arrayBuffer()), bytes)
  assert.deepEqual(Buffer.from(await new Response(file).arrayBuffer()), bytes)
  for (const [start, end] of [[3, 8], [-6], [-6, -2], [5, 2], [0, 999], [999], [4]] as [number, number?][]) {
    const slice = file.slice(start, end, 'text/plain')
    assert.equal(slice.type, 'text/plain')
    assert.equal(await slice.text(), await native.slice(start, end).text(), `slice(${start}, ${end})`)
    assert.equal(await slice.slice(1, -1).text(), await native.slice(start, end).slice(1, -1).text(), `slice(${start}, ${end}).slice(1, -1)`)
  }
  // Read natively (a copy into another Blob) the bytes are the same too.
  assert.deepEqual(Buffer.from(await new Blob([file]).arrayBuffer()), bytes)
  await spool.dispose()
  await assert.rejects(file.text(), { name: 'NotReadableError' })
  await assert.rejects(new Response(file.stream()).text(), { name: 'NotReadableError' })
})

test('spool: after a spooled file was read, a heap snapshot is taken and the process goes on', () => {
  const spool = JSON.stringify(new URL('../lib/body/spool.ts', import.meta.url).href)
  const program = `
    import { PassThrough } from 'node:stream'
    import { tmpdir } from 'node:os'
    import { writeHeapSnapshot } from 'node:v8'
    import { join } from 'node:path'
    const { Spool } = await import(${spool})
    const spool = new Spool(tmpdir())
    const part = new PassThrough()
    const saved = spool.save(part, 'a.txt', 'text/plain')
    part.end('hello world')
    const file = await saved
    const read = [await file.text(), await new Response(file).text(), await file.slice(0, 5).text()]
    const form = new FormData()
    form.append('file', file)
    await new Response(form).text()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const snapshot = writeHeapSnapshot(join(tmpdir(), 'route-handlers-spool-' + process.pid + '.heapsnapshot'))
    await import('node:fs').then(({ rmSync }) => rmSync(snapshot))
    await spool.dispose()
    console.log(JSON.stringify(read))
  `
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { encoding: 'utf8' })
  assert.equal(result.status, 0, `exit ${result.status} ${result.signal ?? ''} ${result.stderr}`)
  assert.deepEqual(JSON.parse(result.stdout), ['hello world', 'hello world', 'hello'])
})
