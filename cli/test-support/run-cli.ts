// Runs the real `myintell` executable as a child process with its own config dir and working dir,
// and lets a test wait for text on its stdout/stderr (to order steps by what the CLI printed, not by time).

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../bin/myintell.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  child: ChildProcess
  readonly stdout: string
  readonly stderr: string
  waitFor(stream: 'stdout' | 'stderr', text: string): Promise<void>
  write(text: string): void
  end(): void
  done: Promise<CliResult>
}

/** A scratch home for one test file: config dir (XDG_CONFIG_HOME) and working dir. */
export interface CliHome {
  configDir: string
  cwd: string
  remove(): void
}

export function createCliHome(): CliHome {
  const root = mkdtempSync(join(tmpdir(), 'myintell-cli-'))
  return { configDir: join(root, 'config'), cwd: root, remove: () => rmSync(root, { recursive: true, force: true }) }
}

export function startCli(args: string[], home: CliHome, env: Record<string, string> = {}): CliProcess {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MYINTELL_')))
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: home.cwd,
    env: { ...cleanEnv, XDG_CONFIG_HOME: home.configDir, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters: Array<{ stream: 'stdout' | 'stderr'; text: string; resolve: () => void }> = []
  const check = () => {
    for (const waiter of [...waiters]) {
      if ((waiter.stream === 'stdout' ? stdout : stderr).includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; check() })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; check() })
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      for (const waiter of waiters.splice(0)) waiter.resolve()
      resolve({ code, stdout, stderr })
    })
  })
  return {
    child,
    get stdout() { return stdout },
    get stderr() { return stderr },
    waitFor(stream, text) {
      return new Promise((resolve, reject) => {
        waiters.push({
          stream, text,
          resolve: () => ((stream === 'stdout' ? stdout : stderr).includes(text) ? resolve() : reject(new Error(`myintell exited before printing "${text}" on ${stream}:\n${stdout}\n${stderr}`))),
        })
        check()
      })
    },
    write(text) { child.stdin!.write(text) },
    end() { child.stdin!.end() },
    done,
  }
}

/** Runs `myintell <args>` to completion; `input` is piped to its stdin. */
export async function runCli(args: string[], home: CliHome, options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const cli = startCli(args, home, options.env)
  cli.child.stdin!.end(options.input ?? '')
  return cli.done
}
