// How a command is described: its flags (with the text --help shows), positionals and run function.
// Every command shares the global flags, so `--api-url`, `--key`, `--json` work in any position.

import { parseArgs } from 'node:util'
import { UsageError } from './errors.ts'
import type { CliEnv } from './settings.ts'

export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** Placeholder shown in help: `--name <NAME>`. */
  value?: string
  description: string
}

export type Flags = Record<string, FlagSpec>
export type FlagValues = Record<string, string | boolean | string[] | undefined>

export interface Io {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown }
  /** The environment as CLI_SETTINGS parsed it (settings.ts). */
  env: CliEnv
  cwd: string
}

export interface Invocation {
  io: Io
  flags: FlagValues
  positionals: string[]
}

export interface Command {
  /** Full path as typed: `agents create`. */
  name: string
  summary: string
  /** `<slug> [flags]` */
  args: string
  description?: string
  flags: Flags
  /** Minimum and maximum positionals. */
  positionals: [number, number]
  /** Resolves to the exit code (default 0); throws UsageError / CliError / ApiProblem otherwise. */
  run(invocation: Invocation): Promise<void | number>
}

export interface CommandGroup {
  name: string
  summary: string
  commands: Command[]
}

export const GLOBAL_FLAGS: Flags = {
  'api-url': { type: 'string', value: 'URL', description: 'platform API base URL (env MYINTELL_API_URL; default http://api.localhost:8787)' },
  key: { type: 'string', value: 'KEY', description: 'API key mi_… (env MYINTELL_API_KEY; default: the login, then .data/dev-api-key)' },
  tenant: { type: 'string', value: 'ID|SLUG', description: 'tenant to act for (env MYINTELL_TENANT; default: `tenants use`, or your only tenant)' },
  json: { type: 'boolean', description: 'machine-readable JSON on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
}

export function parseFlags(command: Command, argv: string[]): { flags: FlagValues; positionals: string[] } {
  const all = { ...command.flags, ...GLOBAL_FLAGS }
  const options = Object.fromEntries(Object.entries(all).map(([name, spec]) => [name, {
    type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}),
  }]))
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs messages are already phrased for people ("Unknown option '--x'").
    throw new UsageError((error as Error).message.split('. ')[0]!.replace(/\.$/, ''), command.name)
  }
  const positionals = parsed.positionals
  if (!parsed.values.help) {
    const [min, max] = command.positionals
    if (positionals.length < min) throw new UsageError(`missing argument: ${command.args.split(' ').filter((a) => a.startsWith('<'))[positionals.length] ?? ''}`.trim(), command.name)
    if (positionals.length > max) throw new UsageError(`unexpected argument: ${positionals[max]}`, command.name)
  }
  return { flags: parsed.values as FlagValues, positionals }
}

export function commandHelp(command: Command): string {
  const lines = [`myintell ${command.name} ${command.args}`.trimEnd(), '', command.summary]
  if (command.description) lines.push('', command.description)
  const own = Object.entries(command.flags)
  if (own.length) lines.push('', 'Flags:', ...flagLines(command.flags))
  lines.push('', 'Global flags:', ...flagLines(GLOBAL_FLAGS))
  return `${lines.join('\n')}\n`
}

export function groupHelp(group: CommandGroup): string {
  const width = Math.max(...group.commands.map((c) => c.name.length))
  return [
    `myintell ${group.name} <command>`, '', group.summary, '', 'Commands:',
    ...group.commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '', `Run \`myintell ${group.name} <command> --help\` for a command's flags.`, '',
  ].join('\n')
}

function flagLines(flags: Flags): string[] {
  const left = Object.entries(flags).map(([name, spec]) =>
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` <${spec.value}>` : ''}`)
  const width = Math.max(...left.map((l) => l.length))
  return Object.values(flags).map((spec, i) => `  ${left[i]!.padEnd(width)}  ${spec.description}${spec.multiple ? ' (repeatable)' : ''}`)
}

export const str = (flags: FlagValues, name: string): string | undefined => {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}
