// The workspace tools run through the AI SDK against a real directory: files round-trip, and every way out of the
// workspace (.., absolute paths, symbolic links, size, quota) is refused with an error the model reads.
import { mkdtempSync, promises as fs, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { isError, runTool, runToolCalls } from '../../../test/support/scripted-tool-model.ts'
import { WORKSPACE_MAX_FILE_BYTES, workspaceTools } from './workspace.ts'

const base = mkdtempSync(join(tmpdir(), 'myintell-workspace-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

let dir: string
let outside: string
let n = 0
beforeEach(async () => {
  n++
  dir = join(base, `agent-${n}`, 'workspace')
  outside = join(base, `agent-${n}`, 'outside')
  await fs.mkdir(outside, { recursive: true })
  await fs.writeFile(join(outside, 'secret.txt'), 'not yours')
})

const tools = (quotaBytes = 10_000) => workspaceTools({ dir, quotaBytes })

describe('the workspace tools', () => {
  it('writes, lists, reads, appends and deletes files in the workspace', async () => {
    const t = tools()
    const written = await runTool(t, 'workspace_write', { path: 'notes/todo.md', content: 'buy milk' })
    expect(written).toMatchObject({ type: 'json', value: { path: 'notes/todo.md', size: 8 } })
    expect(await fs.readFile(join(dir, 'notes/todo.md'), 'utf8')).toBe('buy milk')

    await runTool(t, 'workspace_write', { path: 'notes/todo.md', content: '\nand bread', append: true })
    expect(await runTool(t, 'workspace_read', { path: 'notes/todo.md' })).toMatchObject({ type: 'json', value: { content: 'buy milk\nand bread', size: 18 } })

    const listed = await runTool(t, 'workspace_list', {})
    expect(listed.value).toMatchObject({ path: '.', entries: [{ name: 'notes', type: 'directory' }], usedBytes: 18, quotaBytes: 10_000 })
    expect((await runTool(t, 'workspace_list', { path: 'notes' })).value).toMatchObject({ entries: [{ name: 'todo.md', type: 'file', size: 18 }] })

    expect(await runTool(t, 'workspace_delete', { path: 'notes' })).toMatchObject({ type: 'json', value: { deleted: true } })
    await expect(fs.stat(join(dir, 'notes'))).rejects.toThrow(/ENOENT/)
  })

  it.each([
    ['../outside/secret.txt', /leads out of the workspace/],
    ['notes/../../outside/secret.txt', /leads out of the workspace/],
    ['/etc/passwd', /absolute/],
    ['~/secret', /absolute/],
  ])('refuses to read %s', async (path, message) => {
    const result = await runTool(tools(), 'workspace_read', { path })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(message)
  })

  it('refuses to write outside the workspace, and nothing is written there', async () => {
    const t = tools()
    const results = await runToolCalls(t, [
      { toolName: 'workspace_write', input: { path: '../outside/planted.txt', content: 'x' } },
      { toolName: 'workspace_write', input: { path: join(outside, 'planted.txt'), content: 'x' } },
      { toolName: 'workspace_delete', input: { path: '../outside/secret.txt' } },
    ])
    expect(results.map(isError)).toEqual([true, true, true])
    expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt'])
  })

  it('does not follow a symbolic link that leads out, as a file or as a directory on the way', async () => {
    await fs.mkdir(dir, { recursive: true })
    await fs.symlink(join(outside, 'secret.txt'), join(dir, 'link.txt'))
    await fs.symlink(outside, join(dir, 'linked-dir'))
    const t = tools()
    const results = await runToolCalls(t, [
      { toolName: 'workspace_read', input: { path: 'link.txt' } },
      { toolName: 'workspace_read', input: { path: 'linked-dir/secret.txt' } },
      { toolName: 'workspace_write', input: { path: 'link.txt', content: 'overwritten' } },
      { toolName: 'workspace_write', input: { path: 'linked-dir/planted.txt', content: 'x' } },
      { toolName: 'workspace_list', input: { path: 'linked-dir' } },
    ])
    expect(results.map(isError)).toEqual([true, true, true, true, true])
    for (const r of results) expect(String(r.value)).toMatch(/symbolic link/)
    expect(await fs.readFile(join(outside, 'secret.txt'), 'utf8')).toBe('not yours')
    expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt'])
    // The listing shows the links as links, without following them.
    expect((await runTool(t, 'workspace_list', {})).value).toMatchObject({ entries: [{ name: 'link.txt', type: 'symlink' }, { name: 'linked-dir', type: 'symlink' }] })
    // Deleting a link removes the link, never what it points to.
    expect(await runTool(t, 'workspace_delete', { path: 'linked-dir' })).toMatchObject({ type: 'json', value: { deleted: true } })
    await expect(fs.lstat(join(dir, 'linked-dir'))).rejects.toThrow(/ENOENT/)
    expect(await fs.readFile(join(outside, 'secret.txt'), 'utf8')).toBe('not yours')
  })

  it('refuses to read a hard link, which may name a file outside', async () => {
    await fs.mkdir(dir, { recursive: true })
    await fs.link(join(outside, 'secret.txt'), join(dir, 'hard.txt'))
    const result = await runTool(tools(), 'workspace_read', { path: 'hard.txt' })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/hard link/)
  })

  it('refuses a file over the size limit, written or read', async () => {
    const t = tools(10 * WORKSPACE_MAX_FILE_BYTES)
    const tooBig = await runTool(t, 'workspace_write', { path: 'big.txt', content: 'x'.repeat(WORKSPACE_MAX_FILE_BYTES + 1) })
    expect(isError(tooBig)).toBe(true)
    expect(String(tooBig.value)).toMatch(/over the 1048576-byte limit/)
    await expect(fs.stat(join(dir, 'big.txt'))).rejects.toThrow(/ENOENT/)

    await fs.writeFile(join(dir, 'placed.txt'), Buffer.alloc(WORKSPACE_MAX_FILE_BYTES + 1, 'y'))
    const read = await runTool(t, 'workspace_read', { path: 'placed.txt' })
    expect(isError(read)).toBe(true)
    expect(String(read.value)).toMatch(/over the 1048576-byte limit/)
  })

  it('refuses a write that would take the workspace over its quota, and keeps what was there', async () => {
    const t = tools(100)
    expect(isError(await runTool(t, 'workspace_write', { path: 'a.txt', content: 'a'.repeat(60) }))).toBe(false)
    const over = await runTool(t, 'workspace_write', { path: 'b.txt', content: 'b'.repeat(41) })
    expect(isError(over)).toBe(true)
    expect(String(over.value)).toMatch(/quota is 100 bytes and 60 are used; this write would make 101/)
    await expect(fs.stat(join(dir, 'b.txt'))).rejects.toThrow(/ENOENT/)
    // Replacing a file counts its new size, not both.
    expect(isError(await runTool(t, 'workspace_write', { path: 'a.txt', content: 'a'.repeat(100) }))).toBe(false)
    expect((await fs.readdir(dir)).sort()).toEqual(['a.txt'])
  })

  it('holds the quota when the model writes several files in parallel', async () => {
    const t = tools(100)
    const results = await runToolCalls(t, [1, 2, 3, 4].map((i) => ({ toolName: 'workspace_write', input: { path: `f${i}.txt`, content: 'z'.repeat(40) } })))
    expect(results.filter((r) => !isError(r))).toHaveLength(2)
    let total = 0
    for (const name of await fs.readdir(dir)) total += (await fs.stat(join(dir, name))).size
    expect(total).toBe(80)
  })

  it('answers that no workspace is configured when there is none', async () => {
    const result = await runTool(workspaceTools({ dir: null, quotaBytes: 1000 }), 'workspace_list', {})
    expect(result).toMatchObject({ type: 'error-text', value: expect.stringMatching(/no workspace is configured/) })
  })

  it('hands arguments that do not match the schema back to the model as an error', async () => {
    const result = await runTool(tools(), 'workspace_write', { path: 'x.txt' })
    expect(isError(result)).toBe(true)
    expect(String(result.value)).toMatch(/content/)
  })
})
