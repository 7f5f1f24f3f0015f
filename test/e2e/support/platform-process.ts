// Runs `npm start` (or `node scripts/start.ts`) as a newcomer's terminal would, and reads the process table from
// /proc to see what a platform on a data directory has running: for tests that stop it with real signals.

import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..', '..')

export interface ProcessEntry {
  pid: number
  ppid: number
  /** Its command line, arguments joined by spaces. */
  cmdline: string
  /** The environment it was started with mentions `needle` (see processTable). */
  marked: boolean
}

/** Every live process (zombies left out: they hold nothing); `marked` when its environment mentions `needle`. */
export function processTable(needle = '\0'): ProcessEntry[] {
  const table: ProcessEntry[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8')
      // `pid (comm) state ppid …`; comm may itself hold spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (state === 'Z' || state === 'X') continue
      const cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0').join(' ').trim()
      let marked = false
      try { marked = readFileSync(join('/proc', entry, 'environ'), 'utf8').includes(needle) } catch { /* not readable */ }
      table.push({ pid, ppid: Number(ppid), cmdline, marked })
    } catch {
      // exited while we looked
    }
  }
  return table
}

export function isAlive(pid: number): boolean {
  return processTable().some((p) => p.pid === pid)
}

/** `pid` and every process below it. */
export function processTree(pid: number, table = processTable()): ProcessEntry[] {
  const found = table.filter((p) => p.pid === pid)
  for (let i = 0; i < found.length; i++) found.push(...table.filter((p) => p.ppid === found[i]!.pid))
  return found
}

/**
 * What belongs to the platform on `dataDir`: every process whose command line or environment names it (npm,
 * start.ts and its watchdog, PostgreSQL, workerd), the test process itself left out.
 */
export function processesOf(dataDir: string): ProcessEntry[] {
  return processTable(dataDir).filter((p) => p.pid !== process.pid && (p.marked || p.cmdline.includes(dataDir)))
}

export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface Launched {
  /** npm's process when launched with npm, else start.ts's. Leads its own process group, as a terminal's job does. */
  child: ChildProcess
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** The node process running scripts/start.ts (the child itself without npm). */
  startPid(): number
  /** Resolves once "myintell is up" is printed; throws with the output if it exits first. */
  up(timeoutMs?: number): Promise<void>
}

export function launch(how: 'npm' | 'node', env: Record<string, string | undefined>): Launched {
  // Always without the build: the tests run after `npm run build`, and rebuilding agent/dist here would empty it
  // under the other test files that spawn runtimes from it meanwhile.
  const child = how === 'npm'
    ? spawn('npm', ['start', '--', '--no-build'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, [join(root, 'scripts/start.ts'), '--no-build'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let text = ''
  child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString() })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }))
  })
  let startPid: number | null = how === 'node' ? child.pid! : null
  return {
    child,
    output: () => text,
    exited,
    startPid: () => {
      startPid ??= processTable().find((p) => p.ppid === child.pid && p.cmdline.includes('scripts/start.ts'))?.pid ?? null
      if (startPid === null) throw new Error(`npm (pid ${child.pid}) runs no scripts/start.ts`)
      return startPid
    },
    up: async (timeoutMs = 150_000) => {
      await waitFor('"myintell is up"', () => text.includes('myintell is up') || child.exitCode !== null || child.signalCode !== null, timeoutMs)
      if (!text.includes('myintell is up')) throw new Error(`the platform did not come up:\n${text}`)
    },
  }
}
