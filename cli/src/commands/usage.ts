// `myintell usage`: the tenant's (or one agent's) usage per UTC day, with totals.

import type { IngestItem } from '../../../wire/internal-api.ts'
import type { Command } from '../command.ts'
import { str } from '../command.ts'
import { clientFor } from '../client-for.ts'
import { printJson, printTable, wantsJson } from '../output.ts'
import { findAgent } from './agents.ts'

/** The counters of a usage record, as GET /v1/usage totals them per day. */
type Totals = Omit<IngestItem, 'agentId' | 'tenantId' | 'from' | 'to' | 'openStreams'>

interface Usage {
  tenantId: string
  agentId: string | null
  from: string
  to: string
  days: Array<{ day: string } & Totals>
  totals: Totals
}

export const usage: Command = {
  name: 'usage',
  summary: 'Usage per day: requests, tokens, wakes, cold-start time, active time',
  args: '[flags]',
  description: 'Dates are UTC, YYYY-MM-DD or an ISO date-time; from is inclusive, to exclusive (default: the last 30 days).',
  flags: {
    from: { type: 'string', value: 'DATE', description: 'start (default: 30 days before --to)' },
    to: { type: 'string', value: 'DATE', description: 'end (default: now)' },
    agent: { type: 'string', value: 'ID|SLUG', description: 'only this agent' },
  },
  positionals: [0, 0],
  async run(invocation) {
    const { io, flags } = invocation
    const client = clientFor(invocation)
    const agent = str(flags, 'agent')
    const agentId = agent ? (await findAgent(client, agent)).id : undefined
    const report = await client.get<Usage>('/v1/usage', { from: str(flags, 'from'), to: str(flags, 'to'), agentId })
    if (wantsJson(flags)) return printJson(io, report)
    const row = (label: string, t: Totals) => [label, t.requests, t.tokensIn, t.tokensOut, t.wakes, t.coldStartMs, t.activeSeconds, t.bytesIn, t.bytesOut]
    io.stdout.write(`Usage ${report.from} – ${report.to}${agent ? ` for agent ${agent}` : ''}\n`)
    printTable(io, ['DAY', 'REQUESTS', 'TOKENS IN', 'TOKENS OUT', 'WAKES', 'COLD START MS', 'ACTIVE S', 'BYTES IN', 'BYTES OUT'],
      [...report.days.map((d) => row(d.day, d)), row('total', report.totals)])
  },
}
