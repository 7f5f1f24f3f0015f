// `myintell agents create|list|get|update|delete|status`: superfriends of the current tenant.
// Agents are named by slug or id; the /v1 API addresses them by id, so a slug is looked up in the list.

import { BUILTIN_TOOLS, type McpServerConfig } from '../../../wire/agent-tools.ts'
import { MODEL_PROVIDERS, type ModelProviderName } from '../../../wire/model-providers.ts'
import type { Command, CommandGroup, FlagValues, Flags } from '../command.ts'
import { str } from '../command.ts'
import { isUuid, type ApiClient } from '../api-client.ts'
import { clientFor } from '../client-for.ts'
import { CliError, UsageError } from '../errors.ts'
import { printFields, printJson, printTable, wantsJson } from '../output.ts'

export interface Agent {
  id: string
  tenantId: string
  slug: string
  name: string
  persona: { systemPrompt: string; style: string }
  model: { provider: string; model: string; temperature?: number; maxOutputTokens?: number }
  visibility: 'private' | 'public'
  desiredState: 'running' | 'paused'
  tools: string[]
  mcpServers: McpServerConfig[]
  delegates?: string[]
  workloadState: 'cold' | 'waking' | 'ready' | 'failed'
  lastActiveAt: string | null
  createdAt: string
  updatedAt: string
}

interface AgentPage {
  items: Agent[]
  nextCursor: string | null
}

const PAGE_SIZE = 100
const DEFAULT_PROVIDER: ModelProviderName = 'anthropic'

export async function listAllAgents(client: ApiClient): Promise<Agent[]> {
  const all: Agent[] = []
  let cursor: string | undefined
  do {
    const page: AgentPage = await client.get<AgentPage>('/v1/agents', { limit: PAGE_SIZE, cursor })
    all.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return all
}

export async function findAgent(client: ApiClient, idOrSlug: string): Promise<Agent> {
  if (isUuid(idOrSlug)) return client.get<Agent>(`/v1/agents/${idOrSlug}`)
  const agent = (await listAllAgents(client)).find((a) => a.slug === idOrSlug)
  if (!agent) throw new CliError(`no agent "${idOrSlug}" in this tenant (see \`myintell agents list\`)`)
  return agent
}

const settingFlags: Flags = {
  name: { type: 'string', value: 'NAME', description: 'display name' },
  'system-prompt': { type: 'string', value: 'TEXT', description: 'persona: the system prompt' },
  style: { type: 'string', value: 'TEXT', description: 'persona: how it talks' },
  provider: { type: 'string', value: 'NAME', description: `model provider: ${MODEL_PROVIDERS.join(', ')} (default ${DEFAULT_PROVIDER})` },
  model: { type: 'string', value: 'ID', description: 'model id, e.g. claude-sonnet-4-5' },
  temperature: { type: 'string', value: 'N', description: 'sampling temperature 0–2' },
  'max-output-tokens': { type: 'string', value: 'N', description: 'reply length limit in tokens' },
  visibility: { type: 'string', value: 'private|public', description: 'public agents answer anyone; private only your tenant' },
  'desired-state': { type: 'string', value: 'running|paused', description: 'paused agents are not woken' },
  tool: { type: 'string', multiple: true, value: 'NAME', description: `built-in tool the agent may use: ${BUILTIN_TOOLS.join(', ')}; replaces the list (default on create: memory, clock)` },
  'no-tools': { type: 'boolean', description: 'no built-in tools at all' },
  mcp: { type: 'string', multiple: true, value: 'NAME=URL', description: 'an MCP server (http or https); replaces the list' },
  'mcp-header': { type: 'string', multiple: true, value: 'SERVER:HEADER=SECRET', description: 'send the agent\'s secret SECRET as HEADER to that MCP server' },
  'no-mcp': { type: 'boolean', description: 'remove every MCP server' },
  delegate: { type: 'string', multiple: true, value: 'SLUG', description: 'another agent of the tenant this one may consult (tool delegate_<slug>); replaces the list' },
  'no-delegates': { type: 'boolean', description: 'remove every delegate' },
}

const strings = (flags: FlagValues, name: string): string[] => {
  const value = flags[name]
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : []
}

/** `--delegate`, `--no-delegates` into `delegates` (replaces the list); the platform checks tenant and cycles. */
function delegatesFromFlags(flags: FlagValues, command: string): Record<string, unknown> {
  const delegates = strings(flags, 'delegate')
  if (flags['no-delegates'] && delegates.length > 0) throw new UsageError('--no-delegates and --delegate exclude each other', command)
  if (flags['no-delegates']) return { delegates: [] }
  return delegates.length > 0 ? { delegates } : {}
}

/** `--tool`, `--no-tools`, `--mcp`, `--mcp-header`, `--no-mcp` into `tools` and `mcpServers` (each replaces the list). */
function toolsFromFlags(flags: FlagValues, command: string, current?: Agent): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  const tools = strings(flags, 'tool')
  if (flags['no-tools'] && tools.length > 0) throw new UsageError('--no-tools and --tool exclude each other', command)
  if (flags['no-tools']) body.tools = []
  // The platform names the tools it knows in its 422 too; saying so here saves a round trip.
  for (const tool of tools) if (!(BUILTIN_TOOLS as readonly string[]).includes(tool)) throw new UsageError(`--tool must be one of ${BUILTIN_TOOLS.join(', ')}, not "${tool}"`, command)
  if (tools.length > 0) body.tools = tools

  const mcp = strings(flags, 'mcp')
  const headers = strings(flags, 'mcp-header')
  if (flags['no-mcp'] && (mcp.length > 0 || headers.length > 0)) throw new UsageError('--no-mcp excludes --mcp and --mcp-header', command)
  if (flags['no-mcp']) body.mcpServers = []
  if (mcp.length === 0 && headers.length === 0) return body
  const servers: McpServerConfig[] = mcp.length > 0
    ? mcp.map((entry) => {
      const at = entry.indexOf('=')
      if (at <= 0 || at === entry.length - 1) throw new UsageError(`--mcp takes NAME=URL, not "${entry}"`, command)
      return { name: entry.slice(0, at), url: entry.slice(at + 1) }
    })
    : (current?.mcpServers ?? []).map((server) => ({ ...server, ...(server.headers ? { headers: { ...server.headers } } : {}) }))
  for (const entry of headers) {
    const match = /^([^:]+):([^=]+)=(.+)$/.exec(entry)
    if (!match) throw new UsageError(`--mcp-header takes SERVER:HEADER=SECRET, not "${entry}"`, command)
    const [, serverName, header, secret] = match
    const server = servers.find((s) => s.name === serverName)
    if (!server) throw new UsageError(`--mcp-header names the MCP server "${serverName}", which is not among ${servers.map((s) => s.name).join(', ') || 'none'}`, command)
    server.headers = { ...server.headers, [header!]: secret! }
  }
  body.mcpServers = servers
  return body
}

function number(flags: FlagValues, name: string, command: string): number | undefined {
  const raw = str(flags, name)
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, not "${raw}"`, command)
  return value
}

function oneOf<T extends string>(flags: FlagValues, name: string, allowed: readonly T[], command: string): T | undefined {
  const raw = str(flags, name)
  if (raw === undefined) return undefined
  if (!allowed.includes(raw as T)) throw new UsageError(`--${name} must be ${allowed.join(' or ')}, not "${raw}"`, command)
  return raw as T
}

/** The body fields the flags set; persona and model are whole objects in the API, so they merge onto `current`. */
function settingsFromFlags(flags: FlagValues, command: string, current?: Agent): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  const name = str(flags, 'name')
  if (name !== undefined) body.name = name
  const systemPrompt = str(flags, 'system-prompt')
  const style = str(flags, 'style')
  if (systemPrompt !== undefined || style !== undefined) {
    body.persona = { systemPrompt: systemPrompt ?? current?.persona.systemPrompt ?? '', style: style ?? current?.persona.style ?? '' }
  }
  const temperature = number(flags, 'temperature', command)
  const maxOutputTokens = number(flags, 'max-output-tokens', command)
  // The platform accepts only these (it would answer 422); saying so here names the choices.
  const provider = oneOf(flags, 'provider', MODEL_PROVIDERS, command)
  const model = str(flags, 'model')
  if (provider !== undefined || model !== undefined || temperature !== undefined || maxOutputTokens !== undefined) {
    const base = current?.model
    if (!model && !base) throw new UsageError('--model is required with --provider, --temperature or --max-output-tokens', command)
    body.model = {
      ...base,
      provider: provider ?? base?.provider ?? DEFAULT_PROVIDER,
      model: model ?? base!.model,
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
    }
  }
  const visibility = oneOf(flags, 'visibility', ['private', 'public'], command)
  if (visibility) body.visibility = visibility
  const desiredState = oneOf(flags, 'desired-state', ['running', 'paused'], command)
  if (desiredState) body.desiredState = desiredState
  return { ...body, ...toolsFromFlags(flags, command, current), ...delegatesFromFlags(flags, command) }
}

function printAgent(io: Parameters<Command['run']>[0]['io'], agent: Agent): void {
  printFields(io, [
    ['id', agent.id], ['slug', agent.slug], ['name', agent.name], ['visibility', agent.visibility],
    ['desired state', agent.desiredState], ['workload', agent.workloadState], ['last active', agent.lastActiveAt],
    ['model', `${agent.model.provider}/${agent.model.model}${agent.model.temperature === undefined ? '' : ` (temperature ${agent.model.temperature})`}`],
    ['system prompt', agent.persona.systemPrompt], ['style', agent.persona.style],
    ['tools', (agent.tools ?? []).join(', ') || 'none'],
    ['mcp servers', (agent.mcpServers ?? []).map((s) => `${s.name}=${s.url}${s.headers ? ` (${Object.entries(s.headers).map(([h, v]) => `${h}: ${v}`).join(', ')})` : ''}`).join('; ') || 'none'],
    ['delegates', (agent.delegates ?? []).join(', ') || 'none'],
    ['created', agent.createdAt], ['updated', agent.updatedAt],
  ])
}

const create: Command = {
  name: 'agents create',
  summary: 'Create a superfriend; its slug is its subdomain',
  args: '<slug> [flags]',
  description: 'Slugs: 3–40 of a-z, 0-9 and "-", no hyphen at either end, not reserved, unique on the platform.',
  flags: settingFlags,
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const slug = positionals[0]!
    const body = { slug, name: slug, ...settingsFromFlags(flags, 'agents create') }
    const agent = await clientFor(invocation).post<Agent>('/v1/agents', body)
    if (wantsJson(flags)) return printJson(io, agent)
    io.stdout.write(`Created agent ${agent.slug} (${agent.id}).\n`)
  },
}

const list: Command = {
  name: 'agents list',
  summary: 'List the tenant\'s superfriends',
  args: '',
  flags: {},
  positionals: [0, 0],
  async run(invocation) {
    const { io, flags } = invocation
    const agents = await listAllAgents(clientFor(invocation))
    if (wantsJson(flags)) return printJson(io, agents)
    printTable(io, ['ID', 'SLUG', 'NAME', 'VISIBILITY', 'STATE', 'WORKLOAD', 'LAST ACTIVE'],
      agents.map((a) => [a.id, a.slug, a.name, a.visibility, a.desiredState, a.workloadState, a.lastActiveAt]),
      'No agents yet: create one with `myintell agents create <slug>`.')
  },
}

const get: Command = {
  name: 'agents get',
  summary: 'Show one superfriend',
  args: '<id|slug>',
  flags: {},
  positionals: [1, 1],
  async run(invocation) {
    const agent = await findAgent(clientFor(invocation), invocation.positionals[0]!)
    if (wantsJson(invocation.flags)) return printJson(invocation.io, agent)
    printAgent(invocation.io, agent)
  },
}

const update: Command = {
  name: 'agents update',
  summary: 'Change a superfriend\'s slug, name, persona, model, visibility or desired state',
  args: '<id|slug> [flags]',
  flags: { slug: { type: 'string', value: 'SLUG', description: 'new slug (its URL changes)' }, ...settingFlags },
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const client = clientFor(invocation)
    const current = await findAgent(client, positionals[0]!)
    const patch = settingsFromFlags(flags, 'agents update', current)
    const slug = str(flags, 'slug')
    if (slug !== undefined) patch.slug = slug
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one flag', 'agents update')
    const agent = await client.patch<Agent>(`/v1/agents/${current.id}`, patch)
    if (wantsJson(flags)) return printJson(io, agent)
    io.stdout.write(`Updated agent ${agent.slug} (${agent.id}).\n`)
  },
}

const remove: Command = {
  name: 'agents delete',
  summary: 'Delete a superfriend and its workload',
  args: '<id|slug>',
  flags: {},
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const client = clientFor(invocation)
    const agent = await findAgent(client, positionals[0]!)
    await client.delete(`/v1/agents/${agent.id}`)
    if (wantsJson(flags)) return printJson(io, { deleted: true, id: agent.id, slug: agent.slug })
    io.stdout.write(`Deleted agent ${agent.slug} (${agent.id}).\n`)
  },
}

const status: Command = {
  name: 'agents status',
  summary: 'Whether a superfriend is asleep, waking or awake',
  args: '<id|slug>',
  description: 'workload: cold (scaled to zero), waking, ready (awake) or failed; desired: running or paused.',
  flags: {},
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags } = invocation
    const agent = await findAgent(clientFor(invocation), invocation.positionals[0]!)
    const state = { id: agent.id, slug: agent.slug, workloadState: agent.workloadState, desiredState: agent.desiredState, lastActiveAt: agent.lastActiveAt }
    if (wantsJson(flags)) return printJson(io, state)
    printFields(io, [['agent', `${agent.slug} (${agent.id})`], ['workload', agent.workloadState], ['desired', agent.desiredState], ['last active', agent.lastActiveAt ?? 'never']])
  },
}

export const agents: CommandGroup = {
  name: 'agents', summary: 'Superfriends: create, list, get, update, delete, status',
  commands: [create, list, get, update, remove, status],
}
