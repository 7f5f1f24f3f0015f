// What a platform killed with SIGKILL leaves running on its data directory, and ending it: its PostgreSQL (named by
// postmaster.pid, see cluster-api/src/db/leftover-postgres.ts) and its workerd processes, found by two variables every
// child inherits from the platform's environment. Agent runtimes end themselves (parent-watch.mjs); wrangler's esbuild
// service ends when its stdin closes. Nothing that does not carry this data directory's mark is ever touched.

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { basename, join } from 'node:path'
import { stopLeftoverPostgres } from '../cluster-api/src/db/leftover-postgres.ts'
import { endProcess } from '../cluster-api/src/db/os-processes.ts'

/** The data directory of the platform that started the process (absolute). */
export const MARK_DATA_DIR = 'MYINTELL_PLATFORM_DATA_DIR'
/** Which start of the platform: a watchdog ends only its own platform's processes, never a successor's. */
export const MARK_INSTANCE = 'MYINTELL_PLATFORM_INSTANCE'

/** What the platform writes to its watchdog's stdin when it has shut down in order: nothing is left to end. */
export const WATCHDOG_STOPPED = 'stopped'

/** workerd exits at once on SIGTERM; SIGKILL if it does not within 2 s. */
const WORKERD_STOP_STEPS = [['SIGTERM', 2_000], ['SIGKILL', 2_000]] as const

/**
 * Every process this process starts from now on carries the mark of `dataDir` and of a new instance, whose id this
 * returns. (One platform at a time per process: a second one started alongside would re-mark the first one's.)
 */
export function markChildren(dataDir: string): string {
  const instance = `${process.pid}.${randomBytes(6).toString('hex')}`
  process.env[MARK_DATA_DIR] = dataDir
  process.env[MARK_INSTANCE] = instance
  return instance
}

export interface MarkedProcess {
  pid: number
  /** The start of the platform that started it. */
  instance: string
  /** Its executable's name: `workerd`, `postgres`, `node`, `esbuild`… */
  name: string
}

/**
 * The processes marked with `dataDir`, from /proc (Linux; elsewhere none are found and PostgreSQL is still found
 * through postmaster.pid). A process's environ is the one it was started with, so the platform process itself, which
 * sets the mark after it started, does not carry it.
 */
export function markedProcesses(dataDir: string): MarkedProcess[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const found: MarkedProcess[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    let environ: string[]
    let argv0: string
    try {
      environ = readFileSync(join('/proc', entry, 'environ'), 'utf8').split('\0')
      argv0 = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0')[0] ?? ''
    } catch {
      continue // gone meanwhile, or not ours to read
    }
    if (!environ.includes(`${MARK_DATA_DIR}=${dataDir}`)) continue
    const instance = environ.find((line) => line.startsWith(`${MARK_INSTANCE}=`))?.slice(MARK_INSTANCE.length + 1) ?? ''
    found.push({ pid, instance, name: basename(argv0) })
  }
  return found
}

/**
 * Ends what platforms on `dataDir` left running: with `only` (a watchdog), what that instance started; otherwise
 * (a start that holds the data directory's lock, before it starts anything), what any earlier one started. Its
 * PostgreSQL is ended only if the process that started it is gone (PostgresInUseError otherwise). Returns one
 * line per process ended, for the log.
 */
export async function endLeftovers(dataDir: string, only?: string): Promise<string[]> {
  const ended: string[] = []
  const workerds = markedProcesses(dataDir)
    .filter((p) => p.name === 'workerd' && (only === undefined || p.instance === only))
  await Promise.all(workerds.map(async ({ pid }) => {
    if (await endProcess(pid, WORKERD_STOP_STEPS)) ended.push(`workerd (pid ${pid})`)
  }))
  const postgres = await stopLeftoverPostgres(dataDir)
  if (postgres !== null) ended.push(`PostgreSQL (pid ${postgres})`)
  return ended
}

/**
 * Starts scripts/watchdog.ts for this platform instance; `stopped()` tells it the platform shut down in order. If the
 * platform process dies any other way, the watchdog sees its stdin close and ends the instance's leftovers.
 */
export function startWatchdog(dataDir: string, instance: string): { stopped(): Promise<void> } {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'watchdog.ts'), dataDir, String(process.pid), instance], {
    stdio: ['pipe', 'ignore', 'inherit'],
  })
  // Without a watchdog the platform still runs, and the next start still ends what this one might leave.
  child.once('error', (error) => console.error(`myintell: no watchdog for ${dataDir} (${error.message})`))
  child.stdin!.on('error', () => {}) // the watchdog died first: nothing to tell it
  // Neither the child nor the pipe keeps the platform process alive.
  child.unref()
  ;(child.stdin as unknown as Socket).unref()
  return {
    stopped: () => new Promise<void>((resolve) => {
      const stdin = child.stdin!
      if (stdin.destroyed) return resolve()
      stdin.once('close', () => resolve())
      stdin.end(`${WATCHDOG_STOPPED}\n`, () => resolve())
    }),
  }
}
