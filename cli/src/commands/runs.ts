// `myintell runs list|create|show|cancel|events <agent>`: background turns of a superfriend (issue 17).
// `create --follow` and `events` print the reply as it streams; `events --after N` resumes after event N.

import type { Command, CommandGroup, Invocation } from '../command.ts'
import { str } from '../command.ts'
import { clientFor } from '../client-for.ts'
import { readSse } from '../chat/sse-reader.ts'
import { UsageError } from '../errors.ts'
import { printFields, printJson, printTable, wantsJson } from '../output.ts'
import { findAgent } from './agents.ts'

export interface Run {
  id: string
  status: string
  trigger: string
  scheduleId: string | null
  input: string
  output: string | null
  error: { code: string; message: string } | null
  attempts: number
  conversationId: string | null
  createdAt: string
  finishedAt: string | null
}

function printRun(invocation: Invocation, run: Run): void {
  printFields(invocation.io, [
    ['id', run.id], ['status', run.status], ['trigger', run.trigger], ['schedule', run.scheduleId], ['attempts', run.attempts],
    ['input', run.input], ['output', run.output], ['error', run.error ? `${run.error.code}: ${run.error.message}` : null],
    ['conversation', run.conversationId], ['created', run.createdAt], ['finished', run.finishedAt],
  ])
}

/** Streams the run's events: deltas as text (or every event as a JSON line with --json); ends with the run. */
async function follow(invocation: Invocation, agentId: string, runId: string, after: string | undefined): Promise<number> {
  const client = clientFor(invocation)
  const response = await client.open(`/v1/agents/${agentId}/runs/${runId}/events`, {
    accept: 'text/event-stream', ...(after ? { 'last-event-id': after } : {}),
  })
  const json = wantsJson(invocation.flags)
  let status = 'unknown'
  for await (const frame of readSse(response.body)) {
    const data = JSON.parse(frame.data) as Record<string, unknown>
    if (json) invocation.io.stdout.write(`${JSON.stringify({ event: frame.event, data })}\n`)
    else if (frame.event === 'delta') invocation.io.stdout.write(String(data.text ?? ''))
    else if (frame.event === 'retry') invocation.io.stderr.write(`attempt ${String(data.attempt)} failed, retrying: ${JSON.stringify(data.error)}\n`)
    if (frame.event === 'status') {
      status = String(data.status)
      break
    }
  }
  response.body.destroy()
  if (!json) invocation.io.stdout.write(`\n[${status}]\n`)
  return status === 'succeeded' ? 0 : 1
}

const list: Command = {
  name: 'runs list', summary: 'List a superfriend\'s runs, newest first', args: '<agent> [flags]',
  flags: {
    status: { type: 'string', value: 'STATUS', description: 'queued, running, succeeded, failed or cancelled' },
    trigger: { type: 'string', value: 'TRIGGER', description: 'api or schedule' },
    limit: { type: 'string', value: 'N', description: 'how many (default 20, at most 100)' },
  },
  positionals: [1, 1],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const page = await client.get<{ items: Run[] }>(`/v1/agents/${agent.id}/runs`, {
      status: str(invocation.flags, 'status'), trigger: str(invocation.flags, 'trigger'), limit: str(invocation.flags, 'limit'),
    })
    if (wantsJson(invocation.flags)) return printJson(invocation.io, page.items)
    printTable(invocation.io, ['ID', 'STATUS', 'TRIGGER', 'ATTEMPTS', 'CREATED', 'OUTPUT'],
      page.items.map((r) => [r.id, r.status, r.trigger, r.attempts, r.createdAt, (r.output ?? r.error?.code ?? '').slice(0, 40)]),
      'No runs yet: start one with `myintell runs create <agent> <input>`.')
  },
}

const create: Command = {
  name: 'runs create', summary: 'Queue a run: one turn that no open request waits for', args: '<agent> <input> [flags]',
  flags: {
    conversation: { type: 'string', value: 'ID', description: 'continue this conversation' },
    follow: { type: 'boolean', short: 'f', description: 'stream the reply until the run ends' },
  },
  positionals: [2, 2],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const conversationId = str(invocation.flags, 'conversation')
    const run = await client.post<Run>(`/v1/agents/${agent.id}/runs`, { input: invocation.positionals[1]!, ...(conversationId ? { conversationId } : {}) })
    if (invocation.flags.follow === true) return follow(invocation, agent.id, run.id, undefined)
    if (wantsJson(invocation.flags)) return printJson(invocation.io, run)
    invocation.io.stdout.write(`Queued run ${run.id} for ${agent.slug}. Follow it with \`myintell runs events ${agent.slug} ${run.id}\`.\n`)
  },
}

const show: Command = {
  name: 'runs show', summary: 'Show one run with its output', args: '<agent> <run-id>', flags: {}, positionals: [2, 2],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const run = await client.get<Run>(`/v1/agents/${agent.id}/runs/${invocation.positionals[1]!}`)
    if (wantsJson(invocation.flags)) return printJson(invocation.io, run)
    printRun(invocation, run)
  },
}

const cancel: Command = {
  name: 'runs cancel', summary: 'Cancel a queued or running run', args: '<agent> <run-id>', flags: {}, positionals: [2, 2],
  async run(invocation) {
    const client = clientFor(invocation)
    const agent = await findAgent(client, invocation.positionals[0]!)
    const run = await client.post<Run>(`/v1/agents/${agent.id}/runs/${invocation.positionals[1]!}/cancel`, {})
    if (wantsJson(invocation.flags)) return printJson(invocation.io, run)
    invocation.io.stdout.write(`Cancelled run ${run.id}.\n`)
  },
}

const events: Command = {
  name: 'runs events', summary: 'Stream a run\'s events until it ends; resumable', args: '<agent> <run-id> [flags]',
  description: 'Prints the reply as it streams (every event as a JSON line with --json). --after N starts after event N.',
  flags: { after: { type: 'string', value: 'N', description: 'the last event id already seen' } },
  positionals: [2, 2],
  async run(invocation) {
    const after = str(invocation.flags, 'after')
    if (after !== undefined && !/^\d+$/.test(after)) throw new UsageError(`--after must be an event id (a number), not "${after}"`, 'runs events')
    const agent = await findAgent(clientFor(invocation), invocation.positionals[0]!)
    return follow(invocation, agent.id, invocation.positionals[1]!, after)
  },
}

export const runs: CommandGroup = {
  name: 'runs', summary: 'Background turns of a superfriend: list, create, show, cancel, events',
  commands: [list, create, show, cancel, events],
}
