// One platform per data directory: a pid lock file, so a second `npm start` on the same .data/ refuses
// clearly instead of fighting the first one over PostgreSQL's files. A lock left by a dead process is taken over.

import { openSync, closeSync, readFileSync, rmSync, writeSync, constants } from 'node:fs'
import { join } from 'node:path'

export const LOCK_FILE = 'myintell.pid'

export class AlreadyRunningError extends Error {
  readonly pid: number
  constructor(dataDir: string, pid: number) {
    super(`another myintell platform (pid ${pid}) is already running on ${dataDir}; stop it first (Ctrl-C in its terminal, or kill ${pid})`)
    this.pid = pid
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock or throws AlreadyRunningError. Returns the release function. */
export function acquireInstanceLock(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
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
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new AlreadyRunningError(dataDir, pid)
      rmSync(file, { force: true }) // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${file}`)
}
