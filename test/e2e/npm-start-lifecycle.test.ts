// How `npm start` ends: SIGINT or SIGTERM to npm alone, to the whole process group (Ctrl-C in a terminal), or to
// scripts/start.ts stops everything in order; a SIGKILL of npm, of start.ts, or of start.ts and its watchdog together
// leaves nothing that blocks the next start. Real `npm start` processes, real signals, the process table from /proc.

import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { isAlive, launch, processesOf, processTree, waitFor, type Launched, type ProcessEntry } from './support/platform-process.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'myintell-lifecycle-'))
const env: Record<string, string | undefined> = {
  ...process.env,
  MYINTELL_DATA_DIR: dataDir, MYINTELL_PORT: '0', PORT: '0', MYINTELL_INGRESS_PORT: '0',
  // One warm-pool runtime is spawned at start: an agent process is running without waking anyone.
  MYINTELL_WARM_POOL_SIZE: '1',
  MYINTELL_DRIVER: undefined,
}
/** Generous: a platform start is a few seconds here, more while other suites share the two cores. */
const START_TIMEOUT_MS = 150_000
/** The shutdown bound of start.ts is 20 s; runtimes drain for up to 10 s, PostgreSQL checkpoints. */
const GONE_TIMEOUT_MS = 30_000

const launched: Launched[] = []
function start(how: 'npm' | 'node', extraEnv: Record<string, string | undefined> = {}): Launched {
  const platform = launch(how, { ...env, ...extraEnv })
  launched.push(platform)
  return platform
}

afterAll(async () => {
  for (const platform of launched) {
    if (platform.child.exitCode === null && platform.child.signalCode === null) {
      try { process.kill(-platform.child.pid!, 'SIGKILL') } catch { /* gone */ }
    }
  }
  // Whatever a failed test left: only processes of this test's own data directory.
  for (const p of processesOf(dataDir)) try { process.kill(p.pid, 'SIGKILL') } catch { /* gone */ }
  rmSync(dataDir, { recursive: true, force: true })
}, 30_000)

/** What runs for the platform right now: its processes by data directory, and everything below the launched one. */
function running(platform: Launched): ProcessEntry[] {
  const byPid = new Map([...processesOf(dataDir), ...processTree(platform.child.pid!)].map((p) => [p.pid, p]))
  return [...byPid.values()]
}

/** Each part the platform runs, so that "nothing is left" is checked against processes that were really there. */
function expectWholePlatform(processes: ProcessEntry[]): void {
  const lines = processes.map((p) => p.cmdline)
  expect(lines.some((line) => line.includes('scripts/start.ts'))).toBe(true)
  expect(lines.some((line) => line.includes('scripts/watchdog.ts'))).toBe(true)
  expect(lines.some((line) => /\/postgres -D /.test(line))).toBe(true)
  expect(lines.some((line) => line.includes('/workerd serve'))).toBe(true)
  expect(lines.some((line) => line.includes('parent-watch.mjs'))).toBe(true) // an agent runtime
}

async function expectNothingLeft(before: ProcessEntry[]): Promise<void> {
  const left = () => [...before.filter((p) => isAlive(p.pid)), ...processesOf(dataDir)]
  await waitFor('every process of the platform to exit', () => left().length === 0, GONE_TIMEOUT_MS).catch(() => {})
  expect(left().map((p) => `${p.pid} ${p.cmdline.slice(0, 120)}`)).toEqual([])
  expect(existsSync(join(dataDir, 'myintell.pid'))).toBe(false)
}

const targets = {
  'the npm process alone': (platform: Launched) => platform.child.pid!,
  'the whole process group': (platform: Launched) => -platform.child.pid!,
  'scripts/start.ts': (platform: Launched) => platform.startPid(),
}

describe('npm start stops in order and leaves nothing running', () => {
  it.each([
    ['SIGTERM', 'the npm process alone', 'npm'],
    ['SIGINT', 'the npm process alone', 'npm'],
    ['SIGINT', 'the whole process group', 'npm'],
    ['SIGTERM', 'the whole process group', 'npm'],
    ['SIGTERM', 'scripts/start.ts', 'npm'],
    ['SIGINT', 'scripts/start.ts', 'node'],
  ] as const)('on %s to %s (%s)', async (signal, target, how) => {
    const platform = start(how)
    await platform.up(START_TIMEOUT_MS)
    const before = running(platform)
    expectWholePlatform(before)
    process.kill(targets[target](platform), signal)
    const { code } = await platform.exited
    expect(code).toBe(0)
    expect(platform.output()).toContain(`myintell: ${signal}, stopping agents, the edge and PostgreSQL`)
    expect(platform.output()).toContain('myintell: stopped.')
    expect(platform.output()).not.toContain('shutdown step failed')
    await expectNothingLeft(before)
  }, START_TIMEOUT_MS + 60_000)
})

describe('a killed npm start leaves nothing that blocks the next one', () => {
  it('stops by itself when npm alone is killed with SIGKILL', async () => {
    const platform = start('npm')
    await platform.up(START_TIMEOUT_MS)
    const before = running(platform)
    expectWholePlatform(before)
    const startPid = platform.startPid()
    process.kill(platform.child.pid!, 'SIGKILL')
    await waitFor('start.ts to stop', () => !isAlive(startPid), GONE_TIMEOUT_MS)
    expect(platform.output()).toMatch(/myintell: the process that started it \(pid \d+\) is gone, stopping/)
    expect(platform.output()).toContain('myintell: stopped.')
    await expectNothingLeft(before)
  }, START_TIMEOUT_MS + 60_000)

  let next: Launched | null = null

  it('ends workerd and PostgreSQL through the watchdog when scripts/start.ts is killed with SIGKILL, and starts again', async () => {
    const platform = start('npm')
    await platform.up(START_TIMEOUT_MS)
    const before = running(platform)
    expectWholePlatform(before)
    process.kill(platform.startPid(), 'SIGKILL')
    await expectNothingLeft(before)
    expect(platform.output()).toMatch(/myintell: the platform \(pid \d+\) died without stopping; ended its .*workerd \(pid \d+\).*PostgreSQL \(pid \d+\)/)
    next = start('npm')
    await next.up(START_TIMEOUT_MS)
  }, 2 * START_TIMEOUT_MS + 60_000)

  it('ends what a platform killed together with its watchdog left running, at the next start', async () => {
    expect(next).not.toBeNull()
    const killed = next!
    const before = running(killed)
    expectWholePlatform(before)
    const watchdog = before.find((p) => p.cmdline.includes('scripts/watchdog.ts'))!
    process.kill(watchdog.pid, 'SIGKILL')
    process.kill(killed.startPid(), 'SIGKILL')
    await killed.exited
    // What the next start has to deal with: workerd or PostgreSQL still running for this data directory.
    const leftovers = processesOf(dataDir).filter((p) => /\/workerd serve|\/postgres -D /.test(p.cmdline))
    expect(leftovers.length).toBeGreaterThan(0)

    const again = start('npm')
    await again.up(START_TIMEOUT_MS)
    expect(again.output()).toMatch(/myintell: ended .*, left running on .* by an earlier start that did not stop/)
    expect(leftovers.filter((p) => isAlive(p.pid)).map((p) => p.cmdline)).toEqual([])

    const after = running(again)
    process.kill(-again.child.pid!, 'SIGINT')
    expect((await again.exited).code).toBe(0)
    await expectNothingLeft([...before, ...after])
  }, START_TIMEOUT_MS + 90_000)
})

describe('npm start never ignores MYINTELL_DRIVER', () => {
  it.each(['kubernetes', 'none'])('refuses MYINTELL_DRIVER=%s with one line and starts nothing', (driver) => {
    const result = spawnSync('npm', ['start', '--silent', '--', '--no-build'], {
      cwd: join(import.meta.dirname, '..', '..'), env: { ...env, MYINTELL_DRIVER: driver }, encoding: 'utf8', timeout: 60_000,
    })
    expect(result.status).toBe(1)
    expect(result.stdout.trim()).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^myintell: MYINTELL_DRIVER=${driver}: npm start runs the local driver only; .*MYINTELL_DRIVER=${driver} node cluster-api/src/main\\.ts`))
    expect(processesOf(dataDir)).toEqual([])
    expect(existsSync(join(dataDir, 'myintell.pid'))).toBe(false)
  }, 60_000)
})
