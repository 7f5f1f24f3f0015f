// `myintell schedules list|create|show|pause|resume|rm <agent>`: when a superfriend acts by itself (issue 17).
// Exactly one of --cron (with --timezone), --at or --every; each fire is a run (`myintell runs list --trigger schedule`).

import type { Command, CommandGroup, Invocation } from '../command.ts'
import { str } from '../command.ts'
import { clientFor } from '../client-for.ts'
import { UsageError } from '../errors.ts'
import { printFields, printJson, printTable, wantsJson } from '../output.ts'
import { findAgent } from './agents.ts'

interface Schedule {
  id: string
  input: string
  kind: 'cron' | 'at' | 'every'
  cron: string | null
  timezone: string | null
  at: string | null
  every: string | null
  paused: boolean
  nextRunAt: string | null
  lastRunAt: string | null
  lastRunId: string | null
}

const when = (s: Schedule) => s.kind === 'cron' ? `cron ${s.cron} (${s.timezone ?? 'UTC'})` : s.kind === 'at' ? `at ${s.at}` : `every ${s.every}`

function printSchedule(invocation: Invocation, s: Schedule): void {
  printFields(invocation.io, [
    ['id', s.id], ['when', when(s)], ['input', s.input], ['paused', s.paused ? 'yes' : 'no'],
    ['next run', s.nextRunAt ?? 'none'], ['last run', s.lastRunAt ? `${s.lastRunAt} (${s.lastRunId})` : 'never'],
  ])
}

const list: Command = {
  name: 'schedules list', summary: 'List a superfriend\'s schedules with their next fire', args: '<agent>', flags: {}, positionals: [1, 1],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const page = await client.get<{ items: Schedule[] }>(`/v1/agents/${agent.id}/schedules`, { limit: 100 })
    if (wantsJson(invocation.flags)) return printJson(invocation.io, page.items)
    printTable(invocation.io, ['ID', 'WHEN', 'NEXT RUN', 'PAUSED', 'INPUT'],
      page.items.map((s) => [s.id, when(s), s.nextRunAt ?? 'none', s.paused ? 'yes' : 'no', s.input.slice(0, 40)]),
      'No schedules: create one with `myintell schedules create <agent> <input> --every 1h`.')
  },
}

const create: Command = {
  name: 'schedules create', summary: 'Create a schedule: cron, once at a time, or every interval', args: '<agent> <input> [flags]',
  description: 'Examples: --cron "0 9 * * 1-5" --timezone Europe/Berlin; --at 2026-12-24T18:00:00Z; --every 15m (at least 1m).',
  flags: {
    cron: { type: 'string', value: 'EXPR', description: 'five-field cron expression' },
    timezone: { type: 'string', value: 'TZ', description: 'IANA timezone of --cron (default UTC)' },
    at: { type: 'string', value: 'TIME', description: 'once, at this ISO 8601 time' },
    every: { type: 'string', value: 'INTERVAL', description: 'every 90s, 15m, 2h, 1d' },
  },
  positionals: [2, 2],
  async run(invocation) {
    const { flags } = invocation
    const timing = { cron: str(flags, 'cron'), timezone: str(flags, 'timezone'), at: str(flags, 'at'), every: str(flags, 'every') }
    if ([timing.cron, timing.at, timing.every].filter((v) => v !== undefined).length !== 1) {
      throw new UsageError('give exactly one of --cron, --at, --every', 'schedules create')
    }
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const body = Object.fromEntries(Object.entries({ input: invocation.positionals[1]!, ...timing }).filter(([, v]) => v !== undefined))
    const schedule = await client.post<Schedule>(`/v1/agents/${agent.id}/schedules`, body)
    if (wantsJson(flags)) return printJson(invocation.io, schedule)
    invocation.io.stdout.write(`Created schedule ${schedule.id} (${when(schedule)}); next run ${schedule.nextRunAt ?? 'none'}.\n`)
  },
}

const show: Command = {
  name: 'schedules show', summary: 'Show one schedule', args: '<agent> <schedule-id>', flags: {}, positionals: [2, 2],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const schedule = await client.get<Schedule>(`/v1/agents/${agent.id}/schedules/${invocation.positionals[1]!}`)
    if (wantsJson(invocation.flags)) return printJson(invocation.io, schedule)
    printSchedule(invocation, schedule)
  },
}

const setPaused = (paused: boolean): Command => ({
  name: paused ? 'schedules pause' : 'schedules resume',
  summary: paused ? 'Pause a schedule: no fires until resumed' : 'Resume a schedule from now (fires in the pause are skipped)',
  args: '<agent> <schedule-id>', flags: {}, positionals: [2, 2],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const schedule = await client.patch<Schedule>(`/v1/agents/${agent.id}/schedules/${invocation.positionals[1]!}`, { paused })
    if (wantsJson(invocation.flags)) return printJson(invocation.io, schedule)
    invocation.io.stdout.write(`${paused ? 'Paused' : 'Resumed'} schedule ${schedule.id}; next run ${schedule.nextRunAt ?? 'none'}.\n`)
  },
})

const rm: Command = {
  name: 'schedules rm', summary: 'Delete a schedule (its runs stay)', args: '<agent> <schedule-id>', flags: {}, positionals: [2, 2],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    await client.delete(`/v1/agents/${agent.id}/schedules/${invocation.positionals[1]!}`)
    if (wantsJson(invocation.flags)) return printJson(invocation.io, { deleted: true, id: invocation.positionals[1]! })
    invocation.io.stdout.write(`Deleted schedule ${invocation.positionals[1]!}.\n`)
  },
}

export const schedules: CommandGroup = {
  name: 'schedules', summary: 'When a superfriend acts by itself: list, create, show, pause, resume, rm',
  commands: [list, create, show, setPaused(true), setPaused(false), rm],
}
