// The `myintell` command line: finds the command in argv, runs it, and turns every outcome into an exit code
// (0 ok, 1 error, 2 usage). Errors are one readable line on stderr — problem+json title and detail, never a stack.

import { readFileSync } from 'node:fs'
import type { Command, CommandGroup, Io } from './command.ts'
import { commandHelp, GLOBAL_FLAGS, groupHelp, parseFlags } from './command.ts'
import { agents } from './commands/agents.ts'
import { chat } from './commands/chat.ts'
import { keys } from './commands/keys.ts'
import { login, logout } from './commands/login.ts'
import { secrets } from './commands/secrets.ts'
import { tenants } from './commands/tenants.ts'
import { usage } from './commands/usage.ts'
import { runs } from './commands/runs.ts'
import { schedules } from './commands/schedules.ts'
import { ApiProblem, CliError, EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts'
import { NetworkError } from './http-request.ts'
import { CLI_SETTINGS, type CliEnv } from './settings.ts'
import { SettingsError } from '../../wire/settings.ts'

const ENTRIES: Array<Command | CommandGroup> = [login, logout, tenants, agents, secrets, keys, usage, runs, schedules, chat]

const isGroup = (entry: Command | CommandGroup): entry is CommandGroup => 'commands' in entry

export function topHelp(): string {
  const width = Math.max(...ENTRIES.map((e) => e.name.length))
  return [
    'myintell — your superfriends from the terminal', '',
    'Usage: myintell <command> [flags]', '',
    'Commands:',
    ...ENTRIES.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`),
    '',
    'Global flags (any command): --api-url <URL>, --key <KEY>, --tenant <ID|SLUG>, --json, -h/--help',
    'Environment: MYINTELL_API_URL, MYINTELL_API_KEY, MYINTELL_TENANT, XDG_CONFIG_HOME (login file), MYINTELL_CONFIG',
    '',
    'Run `myintell <command> --help` for details. Exit codes: 0 ok, 1 error, 2 usage.', '',
  ].join('\n')
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

/** Splits off global flags given before the command name (`myintell --api-url X agents list`). */
function splitLeadingFlags(argv: string[]): { leading: string[]; rest: string[] } {
  const leading: string[] = []
  let i = 0
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const token = argv[i]!
    leading.push(token)
    const name = token.replace(/^--?/, '').split('=')[0]!
    const spec = GLOBAL_FLAGS[name] ?? Object.values(GLOBAL_FLAGS).find((f) => f.short === name)
    if (spec?.type === 'string' && !token.includes('=') && i + 1 < argv.length) leading.push(argv[++i]!)
    i++
  }
  return { leading, rest: argv.slice(i) }
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    return report(error, io)
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const { leading, rest } = splitLeadingFlags(argv)
  if (rest.length === 0) {
    if (leading.includes('--version') || leading.includes('-v')) {
      io.stdout.write(`myintell ${version()}\n`)
      return EXIT_OK
    }
    if (leading.includes('--help') || leading.includes('-h')) {
      io.stdout.write(topHelp())
      return EXIT_OK
    }
    io.stderr.write(topHelp())
    return leading.length ? reportUsage(new UsageError(`unknown flag ${leading[0]} before a command`), io) : EXIT_USAGE
  }
  const [name, ...more] = rest
  if (name === 'help') return dispatch([...more, '--help'], io)
  const entry = ENTRIES.find((e) => e.name === name)
  if (!entry) throw new UsageError(`unknown command "${name}"`)
  let command: Command
  let args: string[]
  if (isGroup(entry)) {
    const sub = more[0]
    if (!sub || sub.startsWith('-')) {
      const wantsHelp = more.includes('--help') || more.includes('-h') || leading.includes('--help')
      ;(wantsHelp ? io.stdout : io.stderr).write(groupHelp(entry))
      if (wantsHelp) return EXIT_OK
      throw new UsageError(sub ? `"${entry.name}" needs a command before its flags` : `"${entry.name}" needs a command`, entry.name)
    }
    const found = entry.commands.find((c) => c.name === `${entry.name} ${sub}`)
    if (!found) throw new UsageError(`unknown command "${entry.name} ${sub}"`, entry.name)
    command = found
    args = [...leading, ...more.slice(1)]
  } else {
    command = entry
    args = [...leading, ...more]
  }
  const { flags, positionals } = parseFlags(command, args)
  if (flags.help) {
    io.stdout.write(commandHelp(command))
    return EXIT_OK
  }
  return (await command.run({ io, flags, positionals })) ?? EXIT_OK
}

function reportUsage(error: UsageError, io: Io): number {
  io.stderr.write(`error: ${error.message}\nRun \`myintell ${error.help ? `${error.help} ` : ''}--help\` for usage.\n`)
  return EXIT_USAGE
}

function report(error: unknown, io: Io): number {
  if (error instanceof UsageError) return reportUsage(error, io)
  if (error instanceof ApiProblem) {
    const hint = error.status === 401 ? '\nRun `myintell login` (or pass --key) to authenticate.'
      : error.problem.code === 'tenant-required' ? '\nChoose one with --tenant <slug> or `myintell tenants use <slug>`.' : ''
    io.stderr.write(`error: ${error.describe()}${hint}\n`)
    return EXIT_ERROR
  }
  if (error instanceof CliError || error instanceof NetworkError) {
    io.stderr.write(`error: ${error.message}\n`)
    return EXIT_ERROR
  }
  // A bug of ours: still one line, with a way to see more.
  io.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`)
  if (io.env.debug) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`)
  return EXIT_ERROR
}

export async function run(): Promise<void> {
  let env: CliEnv
  try {
    env = CLI_SETTINGS.parse(process.env) // the one place the CLI reads its environment
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error
    process.stderr.write(`error: ${error.message}\n`)
    process.exitCode = EXIT_USAGE
    return
  }
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env, cwd: process.cwd() }
  const code = await main(process.argv.slice(2), io)
  // Let stdout drain before exiting (a pipe may still be flushing a long --json answer).
  process.exitCode = code
}
