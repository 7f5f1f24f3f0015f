// One platform per data directory: a pid lock file, so a second `npm start` on the same .data/ refuses
// clearly instead of fighting the first one over PostgreSQL's files. A lock left by a dead process is taken over.

import { openSync, closeSync, readFileSync, rmSync, writeSync, constants } from 'node:fs'
import { join } from 'node:path'
import { isRunning } from '../cluster-api/src/db/os-processes.ts'

export const LOCK_FILE = 'myintell.pid'

export class AlreadyRunningError extends Error {
  readonly pid: number
  constructor(dataDir: string, pid: number) {
    super(`another myintell platform (pid ${pid}) is already running on ${dataDir}; stop it first (Ctrl-C in its terminal, or kill ${pid})`)
    this.pid = pid
  }
}

function readIfPresent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** Removes the lock of `pid`, a platform process that died holding it (the watchdog's last step). */
export function releaseLockOf(dataDir: string, pid: number): void {
  const file = join(dataDir, LOCK_FILE)
  if (readIfPresent(file)?.trim() === String(pid)) rmSync(file, { force: true })
}

/** Takes the lock or throws AlreadyRunningError. Returns the release function. */
export async function acquireInstanceLock(dataDir: string): Promise<() => void> {
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file)
        } catch { /* already gone */ }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const held = readIfPresent(file)
      if (held === null) continue // released meanwhile
      const pid = Number(held.trim())
      // A zombie (killed, not yet reaped by its parent) holds nothing any more.
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && (await isRunning(pid))) throw new AlreadyRunningError(dataDir, pid)
      // Stale: its process is gone. Unless another start took it over while we looked (the check above is async).
      if (readIfPresent(file) === held) rmSync(file, { force: true })
    }
  }
  throw new Error(`could not take the lock ${file}`)
}
