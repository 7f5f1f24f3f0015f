// Another process, by pid: whether it still runs, who its parent is, how it was started, and ending it with rising
// force. For the leftovers of a platform killed with SIGKILL, which are nobody's children any more.

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** How often a process we signalled is checked for being gone (ms). */
const EXIT_POLL_MS = 50

export interface ProcessInfo {
  ppid: number
  /** Exited, not yet reaped by its parent: holds no port, no file, no lock. */
  zombie: boolean
  /** Its command line, as `ps` shows it. */
  args: string
}

/** Through `ps`, which Linux and macOS both have; null when there is no such process. */
export async function processInfo(pid: number): Promise<ProcessInfo | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'ppid=', '-o', 'stat=', '-o', 'args=', '-p', String(pid)])
    const match = /^\s*(\d+)\s+(\S+)\s?(.*)$/.exec(stdout.split('\n')[0] ?? '')
    if (!match) return null
    return { ppid: Number(match[1]), zombie: match[2]!.startsWith('Z'), args: match[3]! }
  } catch {
    return null // ps exits 1 when the process does not exist
  }
}

/** Alive and not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const info = await processInfo(pid)
  return info !== null && !info.zombie
}

/** Resolves true once `pid` is gone (or a zombie), false after `timeoutMs` or when `signal` aborts. */
export async function waitUntilGone(pid: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!(await isRunning(pid))) return true
    if (Date.now() >= deadline || signal?.aborted) return false
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS))
  }
}

/**
 * Sends each signal in turn and waits up to its time for the process to go; true once it is gone. The caller has
 * made sure `pid` is the process it means (a pid is reused once its process is reaped).
 */
export async function endProcess(pid: number, steps: ReadonlyArray<readonly [NodeJS.Signals, number]>): Promise<boolean> {
  for (const [signal, waitMs] of steps) {
    try {
      process.kill(pid, signal)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true
      throw error
    }
    if (await waitUntilGone(pid, waitMs)) return true
  }
  return false
}
