// endLeftovers ends only workerd processes marked with its own data directory (and, for a watchdog, its own
// instance): real processes whose /proc command line says `workerd`, one per case.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { endLeftovers, MARK_DATA_DIR, MARK_INSTANCE, markedProcesses } from './leftovers.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'myintell-leftovers-'))
const otherDir = mkdtempSync(join(tmpdir(), 'myintell-leftovers-other-'))
const children: ChildProcess[] = []

/** A long-running process that /proc shows as `workerd`, with the given marks in its environment. */
async function fakeWorkerd(marks: Record<string, string>, name = 'workerd'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { argv0: name, env: { PATH: process.env.PATH, ...marks }, stdio: 'ignore' })
  children.push(child)
  await new Promise((resolve) => child.once('spawn', resolve))
  return child
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

afterEach(() => {
  for (const child of children.splice(0)) if (running(child)) child.kill('SIGKILL')
})

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(otherDir, { recursive: true, force: true })
})

describe('endLeftovers', () => {
  it('ends the workerd of its data directory and no other process', async () => {
    const ours = await fakeWorkerd({ [MARK_DATA_DIR]: dataDir, [MARK_INSTANCE]: '1.a' })
    const otherDataDir = await fakeWorkerd({ [MARK_DATA_DIR]: otherDir, [MARK_INSTANCE]: '2.b' })
    const unmarked = await fakeWorkerd({})
    const notWorkerd = await fakeWorkerd({ [MARK_DATA_DIR]: dataDir, [MARK_INSTANCE]: '1.a' }, 'esbuild')
    // A data directory that merely starts like ours is not ours.
    const prefixed = await fakeWorkerd({ [MARK_DATA_DIR]: `${dataDir}-2`, [MARK_INSTANCE]: '3.c' })

    const ended = await endLeftovers(dataDir)

    expect(ended).toEqual([`workerd (pid ${ours.pid})`])
    await new Promise((resolve) => (running(ours) ? ours.once('exit', resolve) : resolve(null)))
    expect(ours.signalCode).toBe('SIGTERM')
    for (const child of [otherDataDir, unmarked, notWorkerd, prefixed]) expect(running(child)).toBe(true)
  })

  it('for a watchdog, ends only what its own instance started', async () => {
    const mine = await fakeWorkerd({ [MARK_DATA_DIR]: dataDir, [MARK_INSTANCE]: '10.mine' })
    const successor = await fakeWorkerd({ [MARK_DATA_DIR]: dataDir, [MARK_INSTANCE]: '11.next' })

    expect(await endLeftovers(dataDir, '10.mine')).toEqual([`workerd (pid ${mine.pid})`])
    expect(running(successor)).toBe(true)
  })

  it('finds marked processes by data directory, with their instance and executable', async () => {
    const child = await fakeWorkerd({ [MARK_DATA_DIR]: otherDir, [MARK_INSTANCE]: '7.x' })
    expect(markedProcesses(otherDir)).toContainEqual({ pid: child.pid, instance: '7.x', name: 'workerd' })
    expect(markedProcesses(otherDir).map((p) => p.pid)).not.toContain(process.pid)
  })
})
