// The `workspace` tools: list, read, write and delete files in the agent's own directory, with no way out of it.
// Paths are relative, `..` is refused outright, every directory on the way is checked with lstat (a symbolic link is
// never followed), the file itself is opened with O_NOFOLLOW, and a realpath check of the parent backs all of that up.
import { constants, promises as fs } from 'node:fs'
import type { Stats } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join, sep } from 'node:path'
import { tool } from 'ai'
import type { ToolSet } from 'ai'
import { z } from 'zod'

/** A file the model reads or writes is at most this big: a model's context could not hold more anyway. */
export const WORKSPACE_MAX_FILE_BYTES = 1024 * 1024
/** Entries one `workspace_list` returns. */
export const WORKSPACE_MAX_LIST_ENTRIES = 500
const MAX_PATH_CHARS = 1024
const MAX_DEPTH = 32

/** A refusal or failure the model can read and act on. */
export class WorkspaceError extends Error {
  override name = 'WorkspaceError'
}

export interface WorkspaceEntry { name: string; type: 'file' | 'directory' | 'symlink' | 'other'; size?: number }

interface Resolved { path: string; stat: Stats | null }

// Writes to one workspace run one at a time, so two parallel tool calls cannot both pass the quota check.
const writeQueues = new Map<string, Promise<unknown>>()
function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = writeQueues.get(key) ?? Promise.resolve()
  const next = previous.catch(() => {}).then(work)
  const settled = next.catch(() => {})
  writeQueues.set(key, settled)
  void settled.then(() => { if (writeQueues.get(key) === settled) writeQueues.delete(key) })
  return next
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT'
const lstatOrNull = (path: string) => fs.lstat(path).catch((error) => { if (isMissing(error)) return null; throw error })

/** The segments of a relative workspace path, or a refusal. `''` and `.` name the workspace itself. */
export function pathSegments(raw: string): string[] {
  if (raw.length > MAX_PATH_CHARS) throw new WorkspaceError(`the path is longer than ${MAX_PATH_CHARS} characters`)
  if (raw.includes('\0')) throw new WorkspaceError('the path contains a NUL character')
  if (raw.startsWith('/') || raw.startsWith('~') || /^[a-z]:/i.test(raw)) throw new WorkspaceError(`"${raw}" is absolute; give a path relative to the workspace`)
  if (raw.includes('\\')) throw new WorkspaceError('use / to separate directories')
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) throw new WorkspaceError(`"${raw}" leads out of the workspace (..)`)
  if (segments.length > MAX_DEPTH) throw new WorkspaceError(`the path is deeper than ${MAX_DEPTH} directories`)
  return segments
}

export class Workspace {
  readonly root: string
  readonly quotaBytes: number
  constructor(root: string, quotaBytes: number) {
    this.root = root
    this.quotaBytes = quotaBytes
  }

  /** The workspace's real path, created on first use. */
  private async realRoot(): Promise<string> {
    await fs.mkdir(this.root, { recursive: true })
    return fs.realpath(this.root)
  }

  /**
   * Where `raw` is, after checking every directory on the way: each must be a real directory, never a symbolic link.
   * `create` makes missing directories (for a write); otherwise a missing one is an error. A link as the last
   * component is refused, unless `link` is 'itself' (deleting a link removes the link, not what it points to).
   */
  private async resolve(raw: string, create: boolean, link: 'refuse' | 'itself' = 'refuse'): Promise<Resolved> {
    const segments = pathSegments(raw)
    const root = await this.realRoot()
    let dir = root
    for (const segment of segments.slice(0, -1)) {
      dir = join(dir, segment)
      let stat = await lstatOrNull(dir)
      if (!stat && create) {
        await fs.mkdir(dir).catch((error) => { if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error })
        stat = await fs.lstat(dir)
      }
      if (!stat) throw new WorkspaceError(`${relative(root, dir)} does not exist`)
      if (stat.isSymbolicLink()) throw new WorkspaceError(`${relative(root, dir)} is a symbolic link; links are not followed`)
      if (!stat.isDirectory()) throw new WorkspaceError(`${relative(root, dir)} is not a directory`)
    }
    // Belt and braces: whatever happened above, the parent's real path must be inside the workspace.
    const real = await fs.realpath(dir)
    if (real !== root && !real.startsWith(root + sep)) throw new WorkspaceError(`"${raw}" leads out of the workspace`)
    const path = segments.length ? join(real, segments.at(-1)!) : root
    const stat = await lstatOrNull(path)
    if (stat?.isSymbolicLink() && link === 'refuse') throw new WorkspaceError(`${segments.join('/')} is a symbolic link; links are not followed`)
    return { path, stat }
  }

  /** Bytes of all regular files in the workspace (links are not followed, so nothing outside counts). */
  async usedBytes(): Promise<number> {
    const root = await this.realRoot()
    let total = 0
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) await walk(path)
        else if (entry.isFile()) total += (await lstatOrNull(path))?.size ?? 0
      }
    }
    await walk(root)
    return total
  }

  async list(raw: string): Promise<{ path: string; entries: WorkspaceEntry[]; truncated: boolean; usedBytes: number; quotaBytes: number }> {
    const { path, stat } = await this.resolve(raw, false)
    if (!stat) throw new WorkspaceError(`${raw} does not exist`)
    if (!stat.isDirectory()) throw new WorkspaceError(`${raw} is a file; read it with workspace_read`)
    const dirents = (await fs.readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
    const entries: WorkspaceEntry[] = []
    for (const d of dirents.slice(0, WORKSPACE_MAX_LIST_ENTRIES)) {
      if (d.isFile()) entries.push({ name: d.name, type: 'file', size: (await lstatOrNull(join(path, d.name)))?.size ?? 0 })
      else entries.push({ name: d.name, type: d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : 'other' })
    }
    return { path: display(raw), entries, truncated: dirents.length > entries.length, usedBytes: await this.usedBytes(), quotaBytes: this.quotaBytes }
  }

  async read(raw: string): Promise<{ path: string; size: number; content: string }> {
    const { path, stat } = await this.resolve(raw, false)
    if (!stat) throw new WorkspaceError(`${raw} does not exist`)
    if (!stat.isFile()) throw new WorkspaceError(`${raw} is not a file`)
    // A hard link could name a file outside the workspace; the agent cannot make one, so one is someone else's doing.
    if (stat.nlink > 1) throw new WorkspaceError(`${raw} is a hard link to a file that may be outside the workspace`)
    if (stat.size > WORKSPACE_MAX_FILE_BYTES) throw new WorkspaceError(`${raw} is ${stat.size} bytes, over the ${WORKSPACE_MAX_FILE_BYTES}-byte limit for a file`)
    const bytes = await readNoFollow(path)
    let content: string
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      throw new WorkspaceError(`${raw} is not UTF-8 text (${bytes.byteLength} bytes)`)
    }
    return { path: display(raw), size: bytes.byteLength, content }
  }

  async write(raw: string, content: string, append: boolean): Promise<{ path: string; size: number; usedBytes: number; quotaBytes: number }> {
    if (pathSegments(raw).length === 0) throw new WorkspaceError('give a file name')
    return serialized(this.root, async () => {
      const { path, stat } = await this.resolve(raw, true)
      if (stat && !stat.isFile()) throw new WorkspaceError(`${raw} exists and is not a file`)
      const added = Buffer.from(content, 'utf8')
      const bytes = append && stat ? Buffer.concat([await readNoFollow(path), added]) : added
      if (bytes.byteLength > WORKSPACE_MAX_FILE_BYTES) throw new WorkspaceError(`the file would be ${bytes.byteLength} bytes, over the ${WORKSPACE_MAX_FILE_BYTES}-byte limit for a file`)
      const used = await this.usedBytes()
      const after = used - (stat?.size ?? 0) + bytes.byteLength
      if (after > this.quotaBytes) {
        throw new WorkspaceError(`the workspace quota is ${this.quotaBytes} bytes and ${used} are used; this write would make ${after}. Delete files first.`)
      }
      await replaceFile(path, bytes)
      return { path: display(raw), size: bytes.byteLength, usedBytes: after, quotaBytes: this.quotaBytes }
    })
  }

  async delete(raw: string): Promise<{ path: string; deleted: true }> {
    if (pathSegments(raw).length === 0) throw new WorkspaceError('the workspace itself cannot be deleted; name a file or directory in it')
    return serialized(this.root, async () => {
      const { path, stat } = await this.resolve(raw, false, 'itself')
      if (!stat) throw new WorkspaceError(`${raw} does not exist`)
      // rm never follows links inside a directory: it removes the links themselves.
      await fs.rm(path, { recursive: stat.isDirectory(), force: false })
      return { path: display(raw), deleted: true }
    })
  }
}

/** Reads a file without following a link in its last component, even if one appeared since the check. */
async function readNoFollow(path: string): Promise<Buffer> {
  const handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    const stat = await handle.stat()
    if (stat.size > WORKSPACE_MAX_FILE_BYTES) throw new WorkspaceError(`the file is over the ${WORKSPACE_MAX_FILE_BYTES}-byte limit`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Writes a new file beside the old one and renames it over: a fault leaves the old content, never half of the new. */
async function replaceFile(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await fs.rm(temp, { force: true })
    throw error
  }
  await handle.close()
  await fs.rename(temp, path).catch(async (error) => { await fs.rm(temp, { force: true }); throw error })
}

const display = (raw: string) => pathSegments(raw).join('/') || '.'
const relative = (root: string, path: string) => path.slice(root.length + 1) || '.'

const pathField = z.string().max(MAX_PATH_CHARS).describe('A path relative to the workspace, e.g. notes/todo.md')

/** The four workspace tools; without a workspace directory each answers that none is configured. */
export function workspaceTools(o: { dir: string | null; quotaBytes: number }): ToolSet {
  const workspace = o.dir === null ? null : new Workspace(o.dir, o.quotaBytes)
  const use = () => {
    if (!workspace) throw new WorkspaceError('no workspace is configured for this agent')
    return workspace
  }
  return {
    workspace_list: tool({
      description: 'List the files and directories in a directory of your workspace (default: its top), with sizes and the quota used.',
      inputSchema: z.object({ path: pathField.default('.') }),
      execute: ({ path }) => use().list(path),
    }),
    workspace_read: tool({
      description: `Read a UTF-8 text file from your workspace (at most ${WORKSPACE_MAX_FILE_BYTES / 1024} KB).`,
      inputSchema: z.object({ path: pathField }),
      execute: ({ path }) => use().read(path),
    }),
    workspace_write: tool({
      description: `Write a UTF-8 text file in your workspace, replacing it (or appending with append: true); missing directories are created. A file is at most ${WORKSPACE_MAX_FILE_BYTES / 1024} KB and the workspace has a quota.`,
      inputSchema: z.object({ path: pathField, content: z.string(), append: z.boolean().default(false) }),
      execute: ({ path, content, append }) => use().write(path, content, append),
    }),
    workspace_delete: tool({
      description: 'Delete a file, or a directory with everything in it, from your workspace.',
      inputSchema: z.object({ path: pathField }),
      execute: ({ path }) => use().delete(path),
    }),
  }
}
