// The process entry: comes up on the embedded PostgreSQL with nothing configured, answers health,
// and on SIGTERM closes everything (the embedded PostgreSQL too); bad configuration fails fast.

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const MAIN = join(import.meta.dirname, 'main.ts')
const children: ChildProcess[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

function run(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|EDGE_SIGNING_SECRET|AUTH_|MYINTELL_|PORT$|NODE_ENV$)/.test(k)))
  const child = spawn(process.execPath, [MAIN], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => { stdout += chunk })
  child.stderr!.on('data', (chunk) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('cluster-api listening'))
      if (line) resolve((JSON.parse(line) as { url: string }).url)
    })
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}${stdout}`)))
  })
  // Tests that expect an early exit never await `listening`; its rejection is not an error there.
  listening.catch(() => {})
  return { child, listening, exited, output: () => stdout + stderr }
}

describe('cluster-api process', () => {
  it('starts on an embedded PostgreSQL with no configuration and stops it on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'myintell-main-'))
    dirs.push(dataDir)
    const proc = run({ MYINTELL_DATA_DIR: dataDir, PORT: '0', MYINTELL_DRIVER: 'none' })
    const url = await proc.listening
    expect(await (await fetch(`${url}/v1/health`)).json()).toEqual({ status: 'ok', database: 'ok' })
    const signIn = await fetch(`${url}/v1/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"dev@example.test"}' })
    expect(signIn.status).toBe(200)
    // The local signing secret is generated once and kept for the local edge to read.
    expect(readFileSync(join(dataDir, 'edge-signing-secret'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/)
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid')
    expect(existsSync(pidFile)).toBe(true)
    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    expect(existsSync(pidFile)).toBe(false)
    expect(proc.output()).not.toContain('postgres:postgres@')
  }, 120_000)

  it('starts the local workload driver by default and stops it with the process', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'myintell-main-local-'))
    dirs.push(dataDir)
    const proc = run({ MYINTELL_DATA_DIR: dataDir, PORT: '0', MYINTELL_INGRESS_PORT: '0', MYINTELL_WARM_POOL_SIZE: '0' })
    await proc.listening
    const line = proc.output().split('\n').find((l) => l.includes('cluster-api listening'))!
    expect(JSON.parse(line)).toMatchObject({ driver: 'local', database: 'embedded' })
    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false)
  }, 120_000)

  it('fails fast with exit code 78 naming each bad variable', async () => {
    const proc = run({ EDGE_SIGNING_SECRET: 'short', PORT: 'eighty', MYINTELL_DRIVER: 'docker' })
    expect(await proc.exited).toBe(78)
    const output = proc.output()
    expect(output).toContain('EDGE_SIGNING_SECRET: must be at least 32 characters')
    expect(output).toContain('PORT')
    expect(output).toContain('MYINTELL_DRIVER')
  })

  it('refuses production without an external issuer', async () => {
    const proc = run({ NODE_ENV: 'production', EDGE_SIGNING_SECRET: 'x'.repeat(40) })
    expect(await proc.exited).toBe(78)
    expect(proc.output()).toContain('AUTH_JWKS_URL')
  })
})
