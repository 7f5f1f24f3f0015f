// `npm start` as a newcomer runs it: the first run seeds demo and prints the way in; a second instance on the
// same data directory refuses clearly; Ctrl-C stops everything and leaves no process behind.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { localFetch } from './support/localhost-fetch.ts'

const root = resolve(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'myintell-start-'))
const env = { ...process.env, MYINTELL_DATA_DIR: dataDir, MYINTELL_PORT: '0', PORT: '0', MYINTELL_INGRESS_PORT: '0', MYINTELL_WARM_POOL_SIZE: '1' }

function start(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // --no-build: the suite builds once first; a rebuild here would empty agent/dist under the other test files.
  const child = spawn(process.execPath, [join(root, 'scripts/start.ts'), '--no-build'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => text, exited }
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Every descendant of `pid` (children, grandchildren…), from the process table. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
  const found: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const parent = queue.shift()!
    for (const [child, ppid] of table) if (ppid === parent) { found.push(child); queue.push(child) }
  }
  return found
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

let first: ReturnType<typeof start> | null = null

afterAll(async () => {
  if (first && first.child.exitCode === null) { first.child.kill('SIGKILL'); await first.exited }
  rmSync(dataDir, { recursive: true, force: true })
}, 30_000)

describe('npm start', () => {
  it('brings the platform up, seeds demo and prints where to go and a curl to chat with it', async () => {
    first = start()
    await waitFor('"myintell is up"', () => first!.output().includes('myintell is up') || first!.child.exitCode !== null, 150_000)
    const output = first.output()
    expect(output).toContain('myintell is up')
    expect(output).toMatch(/http:\/\/app\.localhost:\d+/)
    expect(output).toMatch(/http:\/\/demo\.localhost:\d+/)
    expect(output).toContain('curl -N http://demo.localhost:')
    const keyFile = join(dataDir, 'dev-api-key')
    expect(existsSync(keyFile)).toBe(true)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const key = readFileSync(keyFile, 'utf8').trim()
    expect(key).toMatch(/^mi_/)
    expect(output).toContain(key) // shown once, on the first run
  }, 180_000)

  it('answers the printed curl: demo wakes and replies through the edge', async () => {
    const demoUrl = first!.output().match(/http:\/\/demo\.localhost:\d+/)![0]
    const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim()
    // The README's exact command, run by curl itself (curl resolves *.localhost to loopback).
    const reply = execFileSync('curl', ['-sS', '-N', `${demoUrl}/v1/chat`, '-H', `authorization: Bearer ${key}`, '-H', 'content-type: application/json', '-d', '{"message":"hello"}'], { encoding: 'utf8', timeout: 60_000 })
    expect(JSON.parse(reply).reply).toContain('[local dev model]')
    // One readable line per request, with the cold start of the wake it waited for.
    const logLine = /POST demo\.localhost:\d+\/v1\/chat 200 \d+ms \(cold start \d+ms\)/
    await waitFor('the access-log line', () => logLine.test(first!.output()), 10_000)
    const again = await localFetch(`${demoUrl}/v1/conversations`, { headers: { authorization: `Bearer ${key}` } })
    expect(again.status).toBe(200)
  }, 90_000)

  it('refuses a second instance on the same data directory, clearly', async () => {
    const second = start()
    const code = await second.exited
    expect(code).toBe(1)
    expect(second.output()).toMatch(/already running on .*myintell-start-/)
    expect(second.output()).not.toMatch(/\n\s+at /) // no stack trace
  }, 60_000)

  it('stops everything on Ctrl-C and leaves no process behind', async () => {
    const tree = descendants(first!.child.pid!)
    expect(tree.length).toBeGreaterThan(2) // PostgreSQL, workerd, at least one agent runtime
    first!.child.kill('SIGINT')
    expect(await first!.exited).toBe(0)
    await waitFor('every child process to exit', () => tree.every((pid) => !alive(pid)), 20_000)
    expect(tree.filter(alive)).toEqual([])
    expect(existsSync(join(dataDir, 'myintell.pid'))).toBe(false)
  }, 60_000)
})
