// `myintell secrets set|list|rm`: an agent's write-only secrets (model keys, base URLs, MCP header values).
// A value is read from the argument, or from stdin with --from-stdin (so it stays out of shell history and `ps`);
// nothing ever prints one, and the API never returns one.

import type { Command, CommandGroup } from '../command.ts'
import { clientFor } from '../client-for.ts'
import { UsageError } from '../errors.ts'
import { printJson, printTable, wantsJson } from '../output.ts'
import { readSecret } from '../prompt.ts'
import { findAgent } from './agents.ts'
import { SECRET_NAME } from '../../../wire/agent-tools.ts'

interface Secret {
  name: string
  createdAt: string
  updatedAt: string
}

function secretName(raw: string, command: string): string {
  if (!SECRET_NAME.test(raw)) throw new UsageError(`secret names are upper-case letters, digits and _, starting with a letter (at most 64): not "${raw}"`, command)
  return raw
}

const set: Command = {
  name: 'secrets set',
  summary: 'Set (create or replace) a secret of a superfriend',
  args: '<agent> <NAME> [value]',
  description: 'Without a value (or with --from-stdin) the value is read from stdin: hidden on a terminal, the first line of a pipe. '
    + 'Names like OPENAI_API_KEY or OPENAI_BASE_URL override the platform\'s own for this agent.',
  flags: { 'from-stdin': { type: 'boolean', description: 'read the value from stdin' } },
  positionals: [2, 3],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const name = secretName(positionals[1]!, 'secrets set')
    if (flags['from-stdin'] && positionals[2] !== undefined) throw new UsageError('give the value or --from-stdin, not both', 'secrets set')
    const value = positionals[2] ?? await readSecret(io, `Value of ${name}: `)
    if (value === '') throw new UsageError('the value is empty', 'secrets set')
    const client = clientFor(invocation)
    const agent = await findAgent(client, positionals[0]!)
    const secret = await client.put<Secret>(`/v1/agents/${agent.id}/secrets/${name}`, { value })
    if (wantsJson(flags)) return printJson(io, { agent: agent.slug, ...secret })
    io.stdout.write(`Set ${secret.name} of ${agent.slug}.\n`)
  },
}

const list: Command = {
  name: 'secrets list',
  summary: 'List a superfriend\'s secrets: names and when they were set, never values',
  args: '<agent>',
  flags: {},
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const client = clientFor(invocation)
    const agent = await findAgent(client, positionals[0]!)
    const { items } = await client.get<{ items: Secret[] }>(`/v1/agents/${agent.id}/secrets`)
    if (wantsJson(flags)) return printJson(io, items)
    printTable(io, ['NAME', 'UPDATED', 'CREATED'], items.map((s) => [s.name, s.updatedAt, s.createdAt]),
      `No secrets yet: set one with \`myintell secrets set ${agent.slug} NAME\`.`)
  },
}

const rm: Command = {
  name: 'secrets rm',
  summary: 'Delete a secret of a superfriend',
  args: '<agent> <NAME>',
  description: 'Refused while one of the agent\'s MCP servers sends it as a header.',
  flags: {},
  positionals: [2, 2],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const name = secretName(positionals[1]!, 'secrets rm')
    const client = clientFor(invocation)
    const agent = await findAgent(client, positionals[0]!)
    await client.delete(`/v1/agents/${agent.id}/secrets/${name}`)
    if (wantsJson(flags)) return printJson(io, { deleted: true, agent: agent.slug, name })
    io.stdout.write(`Deleted ${name} of ${agent.slug}.\n`)
  },
}

export const secrets: CommandGroup = { name: 'secrets', summary: 'A superfriend\'s secrets: set, list, rm', commands: [set, list, rm] }
