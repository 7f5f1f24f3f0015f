// The public /v1 platform API at api.<base>, as the dashboard uses it: tenants, superfriends (agents),
// API keys and usage. Shapes follow cluster-api/src/v1/schemas.ts.

import { hosts } from './hosts.ts'
import { requestJson, type Credentials } from './http.ts'

export type WorkloadState = 'cold' | 'waking' | 'ready' | 'failed'
export type Visibility = 'private' | 'public'

export interface Tenant { id: string; slug: string; name: string; role: 'owner' | 'admin' | 'member' | null }

export interface Persona { systemPrompt: string; style: string }
export interface ModelSettings { provider: string; model: string; temperature?: number; maxOutputTokens?: number }

export interface Agent {
  id: string
  slug: string
  name: string
  persona: Persona
  model: ModelSettings
  visibility: Visibility
  desiredState: string
  /** Built-in tools it may use (wire/agent-tools.ts BUILTIN_TOOLS). */
  tools: string[]
  mcpServers: McpServer[]
  workloadState: WorkloadState
  lastActiveAt: string | null
  createdAt: string
  updatedAt: string
}

/** An MCP server of an agent; each header names one of the agent's secrets, never a value. */
export interface McpServer { name: string; url: string; headers?: Record<string, string> }

export interface AgentInput {
  slug: string; name: string; persona: Persona; model: ModelSettings; visibility: Visibility
  tools?: string[]; mcpServers?: McpServer[]
}

/** An agent secret as the API lists it: never a value. */
export interface Secret { name: string; createdAt: string; updatedAt: string }

export const API_KEY_SCOPES = ['chat', 'agents:read', 'agents:write', 'api-keys:write', 'usage:read'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

export interface ApiKey {
  id: string
  name: string
  prefix: string
  scopes: ApiKeyScope[]
  lastUsedAt: string | null
  revokedAt: string | null
  createdAt: string
}
export interface CreatedApiKey extends ApiKey { key: string }
/** A revoke answer: the key, and how many keys minted from it (by it, or by keys it minted) were revoked with it. */
export interface RevokedApiKey extends ApiKey { mintedKeysRevoked: number }

export interface UsageTotals {
  requests: number; bytesIn: number; bytesOut: number; wakes: number; coldStartMs: number
  tokensIn: number; tokensOut: number; activeSeconds: number
}
export interface UsageDay extends UsageTotals { day: string }
export interface Usage { agentId: string | null; from: string; to: string; days: UsageDay[]; totals: UsageTotals }

const api = (path: string) => `${hosts.apiUrl}${path}`

export const listTenants = (c: Credentials) => requestJson<{ items: Tenant[] }>(api('/v1/tenants'), c).then((r) => r.items)
export const createTenant = (c: Credentials, body: { slug: string; name: string }) =>
  requestJson<Tenant>(api('/v1/tenants'), c, { method: 'POST', body })

/** Every agent of the tenant: follows nextCursor (100 a page). */
export async function listAgents(c: Credentials, signal?: AbortSignal): Promise<Agent[]> {
  const all: Agent[] = []
  let cursor: string | undefined
  do {
    const page = await requestJson<{ items: Agent[]; nextCursor: string | null }>(api('/v1/agents'), c, { query: { limit: 100, cursor }, signal })
    all.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return all
}
export const createAgent = (c: Credentials, body: AgentInput) => requestJson<Agent>(api('/v1/agents'), c, { method: 'POST', body })
export const updateAgent = (c: Credentials, id: string, patch: Partial<AgentInput>) =>
  requestJson<Agent>(api(`/v1/agents/${encodeURIComponent(id)}`), c, { method: 'PATCH', body: patch })
export const deleteAgent = (c: Credentials, id: string) =>
  requestJson<void>(api(`/v1/agents/${encodeURIComponent(id)}`), c, { method: 'DELETE' })

export const listApiKeys = (c: Credentials) => requestJson<{ items: ApiKey[] }>(api('/v1/api-keys'), c).then((r) => r.items)
export const createApiKey = (c: Credentials, body: { name: string; scopes: ApiKeyScope[] }) =>
  requestJson<CreatedApiKey>(api('/v1/api-keys'), c, { method: 'POST', body })
export const revokeApiKey = (c: Credentials, id: string) =>
  requestJson<RevokedApiKey>(api(`/v1/api-keys/${encodeURIComponent(id)}`), c, { method: 'DELETE' })

export const getUsage = (c: Credentials, query: { from: string; agentId?: string }, signal?: AbortSignal) =>
  requestJson<Usage>(api('/v1/usage'), c, { query, signal })

const secretsPath = (agentId: string, name?: string) =>
  api(`/v1/agents/${encodeURIComponent(agentId)}/secrets${name === undefined ? '' : `/${encodeURIComponent(name)}`}`)
export const listSecrets = (c: Credentials, agentId: string) => requestJson<{ items: Secret[] }>(secretsPath(agentId), c).then((r) => r.items)
export const putSecret = (c: Credentials, agentId: string, name: string, value: string) =>
  requestJson<Secret>(secretsPath(agentId, name), c, { method: 'PUT', body: { value } })
export const deleteSecret = (c: Credentials, agentId: string, name: string) =>
  requestJson<void>(secretsPath(agentId, name), c, { method: 'DELETE' })
