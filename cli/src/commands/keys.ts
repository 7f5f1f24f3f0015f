// `myintell keys create|list|revoke`: the tenant's API keys. The plaintext exists only in the create answer.

import type { Command, CommandGroup } from '../command.ts'
import { str } from '../command.ts'
import { isUuid } from '../api-client.ts'
import { clientFor } from '../client-for.ts'
import { CliError, UsageError } from '../errors.ts'
import { printJson, printTable, wantsJson } from '../output.ts'

export const SCOPES = ['agents:read', 'agents:write', 'api-keys:write', 'usage:read', 'chat'] as const

interface ApiKey {
  id: string
  tenantId: string
  name: string
  prefix: string
  scopes: string[]
  lastUsedAt: string | null
  revokedAt: string | null
  createdAt: string
}

/** The DELETE answer: revoking a key also revokes every key minted from it (by it, or by keys it minted). */
interface RevokedApiKey extends ApiKey {
  mintedKeysRevoked: number
}

const create: Command = {
  name: 'keys create',
  summary: 'Create an API key; its secret is shown once',
  args: '[flags]',
  flags: {
    name: { type: 'string', value: 'NAME', description: 'what the key is for (required)' },
    scope: { type: 'string', multiple: true, value: 'SCOPE', description: `${SCOPES.join(', ')} (default: chat, agents:read)` },
  },
  positionals: [0, 0],
  async run(invocation) {
    const { io, flags } = invocation
    const name = str(flags, 'name')
    if (!name) throw new UsageError('--name is required', 'keys create')
    const scopes = (flags.scope as string[] | undefined) ?? []
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s))
    if (unknown.length) throw new UsageError(`unknown scope ${unknown.join(', ')}; scopes are ${SCOPES.join(', ')}`, 'keys create')
    const key = await clientFor(invocation).post<ApiKey & { key: string }>('/v1/api-keys', { name, ...(scopes.length ? { scopes } : {}) })
    if (wantsJson(flags)) return printJson(io, key)
    io.stdout.write(`${key.key}\n`)
    io.stderr.write(`Created API key "${key.name}" (${key.id}) with scopes ${key.scopes.join(', ')}.\nThe secret above is shown only now: store it somewhere safe.\n`)
  },
}

const list: Command = {
  name: 'keys list',
  summary: 'List the tenant\'s API keys (never their secrets)',
  args: '',
  flags: {},
  positionals: [0, 0],
  async run(invocation) {
    const { io, flags } = invocation
    const { items } = await clientFor(invocation).get<{ items: ApiKey[] }>('/v1/api-keys')
    if (wantsJson(flags)) return printJson(io, items)
    printTable(io, ['ID', 'NAME', 'PREFIX', 'SCOPES', 'LAST USED', 'REVOKED'],
      items.map((k) => [k.id, k.name, k.prefix, k.scopes.join(','), k.lastUsedAt, k.revokedAt]), 'No API keys.')
  },
}

const revoke: Command = {
  name: 'keys revoke',
  summary: 'Revoke an API key at once, with every key minted from it (they stay listed, marked revoked)',
  args: '<id|prefix>',
  flags: {},
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const client = clientFor(invocation)
    let id = positionals[0]!
    if (!isUuid(id)) {
      const { items } = await client.get<{ items: ApiKey[] }>('/v1/api-keys')
      const match = items.find((k) => k.prefix === id || `mi_${k.prefix}` === id)
      if (!match) throw new CliError(`no API key with id or prefix "${id}" (see \`myintell keys list\`)`)
      id = match.id
    }
    const key = await client.delete<RevokedApiKey>(`/v1/api-keys/${id}`)
    if (wantsJson(flags)) return printJson(io, key)
    io.stdout.write(`Revoked API key "${key.name}" (${key.id}).\n`)
    const minted = key.mintedKeysRevoked
    if (minted > 0) io.stdout.write(`Also revoked ${minted} ${minted === 1 ? 'key' : 'keys'} minted from it (by it, or by keys it minted).\n`)
  },
}

export const keys: CommandGroup = { name: 'keys', summary: 'API keys: create, list, revoke', commands: [create, list, revoke] }
