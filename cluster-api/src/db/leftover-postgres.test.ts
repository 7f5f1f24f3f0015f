// A PostgreSQL left on its data directory: stopped only once the process that started it is gone. A real embedded
// server, started by a real child process that the test then kills with SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts'
import { embeddedDatabaseDir, POSTGRES_OWNER_FILE, PostgresInUseError, stopLeftoverPostgres } from './leftover-postgres.ts'
import { isRunning } from './os-processes.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'myintell-leftover-pg-'))
let owner: ChildProcess
let ownerExited: Promise<unknown>
let postmaster: number
let restarted: EmbeddedServer | null = null

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    return (await client.query('SELECT 1 AS one')).rows[0].one === 1
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

beforeAll(async () => {
  const embedded = new URL('./embedded.ts', import.meta.url).href
  const script = `const { startEmbeddedPostgres } = await import(${JSON.stringify(embedded)})
const server = await startEmbeddedPostgres(${JSON.stringify(dataDir)})
console.log(server.adminUrl)
setInterval(() => {}, 60_000)`
  owner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  ownerExited = new Promise((resolve) => owner.once('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    owner.stdout!.once('data', () => resolve())
    owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before its PostgreSQL was up`)))
  })
  postmaster = Number(readFileSync(join(embeddedDatabaseDir(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0])
}, 60_000)

afterAll(async () => {
  await restarted?.stop()
  if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL')
  try { process.kill(postmaster, 'SIGKILL') } catch { /* gone, as it should be */ }
  rmSync(dataDir, { recursive: true, force: true })
}, 30_000)

describe('a PostgreSQL left on the data directory', () => {
  it('is left alone while the process that started it runs', async () => {
    await expect(stopLeftoverPostgres(dataDir)).rejects.toThrow(PostgresInUseError)
    expect(await isRunning(postmaster)).toBe(true)
  })

  it('is left alone when no owner file says who started it', async () => {
    const ownerFile = join(dataDir, POSTGRES_OWNER_FILE)
    renameSync(ownerFile, `${ownerFile}.aside`)
    try {
      expect(await stopLeftoverPostgres(dataDir)).toBeNull()
      expect(await isRunning(postmaster)).toBe(true)
    } finally {
      renameSync(`${ownerFile}.aside`, ownerFile)
    }
  })

  it('is stopped by the next start once its starter was killed with SIGKILL, and the next start comes up', async () => {
    owner.kill('SIGKILL')
    await ownerExited
    expect(await isRunning(postmaster)).toBe(true) // nothing stops PostgreSQL when its parent dies

    const lines: string[] = []
    restarted = await startEmbeddedPostgres(dataDir, (line) => lines.push(line))

    expect(await isRunning(postmaster)).toBe(false)
    expect(lines).toContain(`stopped PostgreSQL (pid ${postmaster}) left running on ${embeddedDatabaseDir(dataDir)} by a process that is gone`)
    expect(await answers(restarted.adminUrl)).toBe(true)
  }, 60_000)
})
