// Zod schemas of the /v1 API (they drive validation and the OpenAPI document) and the serializers
// that turn database rows into response bodies. Request bodies are strict: unknown fields are refused.

import { z } from '@hono/zod-openapi'
import { checkModelName, MODEL_NAME_MAX_LENGTH, MODEL_PROVIDERS, type ModelProviderName } from '../../../wire/model-providers.ts'
import type { Agent, ApiKey, Tenant } from '../db/schema/index.ts'
import { API_KEY_SCOPES, DESIRED_STATES, MEMBERSHIP_ROLES } from '../db/schema/index.ts'
import type { DailyUsage } from '../db/queries/usage.ts'
import { TENANT_HEADER } from '../auth/principal.ts'
import { McpServersSchema, ToolsSchema } from './agent-tools.ts'
import { DelegatesSchema } from '../delegation/delegates-config.ts'

export const DEFAULT_MODEL: { provider: ModelProviderName; model: string } = { provider: 'anthropic', model: 'claude-sonnet-4-5' }

/**
 * The model a new agent gets when the request names none: the first provider this platform holds a key for,
 * else the offline `local` development model — so a platform started with no account anywhere has agents that answer.
 */
export function defaultModelFor(runtimeSecrets: Record<string, string>): { provider: ModelProviderName; model: string } {
  if (runtimeSecrets.ANTHROPIC_API_KEY) return { ...DEFAULT_MODEL }
  if (runtimeSecrets.OPENAI_API_KEY) return { provider: 'openai', model: 'gpt-4o-mini' }
  return { provider: 'local', model: 'local-dev' }
}

export const ProblemSchema = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), code: z.string(),
  detail: z.string().optional(), instance: z.string().optional(),
}).openapi('Problem')

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } })
export const errorResponses = {
  400: problemResponse('Malformed request (bad JSON, missing tenant choice)'),
  401: problemResponse('Missing, invalid, expired or revoked credentials'),
  403: problemResponse('Authenticated, but not allowed (role or API-key scope)'),
  404: problemResponse('Not found, or not visible to the caller'),
  413: problemResponse('Body larger than 1 MiB'),
  415: problemResponse('Body is not application/json'),
  422: problemResponse('Body or parameters break the schema or the slug rules'),
} as const
export const conflictResponse = { 409: problemResponse('Slug already taken') } as const
export const secretInUseResponse = { 409: problemResponse('The secret is named by one of the agent\'s MCP server headers') } as const

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } })
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } })

export const TenantHeaders = z.object({
  [TENANT_HEADER]: z.string().optional().openapi({
    description: 'Tenant to act for. Required for a signed-in user with several tenants; optional with an API key (it must match the key\'s tenant).',
  }),
})
export const IdParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

const Timestamp = z.string().openapi({ format: 'date-time' })
const iso = (date: Date | null) => date?.toISOString() ?? null

// Tenants
export const TenantSchema = z.object({
  id: z.string(), slug: z.string(), name: z.string(), createdAt: Timestamp, updatedAt: Timestamp,
  role: z.enum(MEMBERSHIP_ROLES).nullable().openapi({ description: 'Your role; null when calling with an API key' }),
}).openapi('Tenant')
export const CreateTenantSchema = z.strictObject({ slug: z.string().max(100), name: z.string().min(1).max(200) }).openapi('CreateTenant')
export const UpdateTenantSchema = z.strictObject({ name: z.string().min(1).max(200).optional() }).openapi('UpdateTenant')
export const TenantListSchema = z.object({ items: z.array(TenantSchema) }).openapi('TenantList')

export function serializeTenant(tenant: Tenant, role: (typeof MEMBERSHIP_ROLES)[number] | null): z.infer<typeof TenantSchema> {
  return { id: tenant.id, slug: tenant.slug, name: tenant.name, createdAt: tenant.createdAt.toISOString(), updatedAt: tenant.updatedAt.toISOString(), role }
}

// Agents
const PersonaSchema = z.strictObject({ systemPrompt: z.string().max(50_000), style: z.string().max(5_000) }).openapi('Persona')
const ModelSchema = z.strictObject({
  // Only providers the runtime implements: any other name would be stored, then fail every chat.
  provider: z.enum(MODEL_PROVIDERS).openapi({ description: 'A model provider the runtime implements' }),
  model: z.string().min(1).max(MODEL_NAME_MAX_LENGTH).superRefine((name, ctx) => {
    // Length has its own issue above (and the OpenAPI document's bounds); one issue per broken rule.
    const broken = name.length === 0 || name.length > MODEL_NAME_MAX_LENGTH ? null : checkModelName(name)
    if (broken) ctx.addIssue({ code: 'custom', message: `model name ${broken}` })
  }).openapi({ description: `The provider's model id, 1–${MODEL_NAME_MAX_LENGTH} characters, no control characters` }),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
}).openapi('ModelSettings')
const Visibility = z.enum(['private', 'public'])

export const CreateAgentSchema = z.strictObject({
  slug: z.string().max(100).openapi({ description: 'Subdomain: 3–40 of [a-z0-9-], no edge hyphen, not reserved, globally unique' }),
  name: z.string().min(1).max(200),
  persona: PersonaSchema.optional(),
  model: ModelSchema.optional(),
  visibility: Visibility.optional(),
  desiredState: z.enum(DESIRED_STATES).optional(),
  tools: ToolsSchema.optional(),
  mcpServers: McpServersSchema.optional(),
  delegates: DelegatesSchema.optional(),
}).openapi('CreateAgent')
export const UpdateAgentSchema = z.strictObject({
  slug: z.string().max(100).optional(),
  name: z.string().min(1).max(200).optional(),
  persona: PersonaSchema.optional(),
  model: ModelSchema.optional(),
  visibility: Visibility.optional(),
  desiredState: z.enum(DESIRED_STATES).optional(),
  tools: ToolsSchema.optional().openapi({ description: 'Replaces the list' }),
  mcpServers: McpServersSchema.optional().openapi({ description: 'Replaces the list; headers must name secrets the agent has' }),
  delegates: DelegatesSchema.optional().openapi({ description: 'Replaces the list; slugs of other agents of the same tenant, no cycles' }),
}).openapi('UpdateAgent')
export const AgentSchema = z.object({
  id: z.string(), tenantId: z.string(), slug: z.string(), name: z.string(),
  persona: z.object({ systemPrompt: z.string(), style: z.string() }),
  model: z.object({ provider: z.string(), model: z.string(), temperature: z.number().optional(), maxOutputTokens: z.number().optional() }),
  visibility: Visibility, desiredState: z.enum(DESIRED_STATES),
  tools: z.array(z.string()),
  mcpServers: z.array(z.object({ name: z.string(), url: z.string(), headers: z.record(z.string(), z.string()).optional() })),
  delegates: z.array(z.string()),
  workloadState: z.enum(['cold', 'waking', 'ready', 'failed']),
  lastActiveAt: Timestamp.nullable(), createdAt: Timestamp, updatedAt: Timestamp,
}).openapi('Agent')
export const AgentListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
})
export const AgentListSchema = z.object({ items: z.array(AgentSchema), nextCursor: z.string().nullable() }).openapi('AgentList')

export function serializeAgent(agent: Agent): z.infer<typeof AgentSchema> {
  return {
    id: agent.id, tenantId: agent.tenantId, slug: agent.slug, name: agent.name,
    persona: agent.persona, model: agent.model, visibility: agent.visibility, desiredState: agent.desiredState,
    tools: agent.tools, mcpServers: agent.mcpServers, delegates: agent.delegates,
    workloadState: agent.workloadState, lastActiveAt: iso(agent.lastActiveAt),
    createdAt: agent.createdAt.toISOString(), updatedAt: agent.updatedAt.toISOString(),
  }
}

// API keys
export const CreateApiKeySchema = z.strictObject({
  name: z.string().min(1).max(200),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length).optional()
    .openapi({
      description: 'Default: ["chat", "agents:read"]. "chat" lets the key talk to superfriends (the edge refuses a key '
        + 'without it with 403 insufficient-scope). "api-keys:write" may be granted only by a signed-in owner or admin: '
        + 'an API key asking for it gets 403 grant-needs-user. A key creating a key may grant only other scopes, and only '
        + 'ones it holds itself (403 insufficient-scope with missingScopes).',
    }),
}).openapi('CreateApiKey')
export const ApiKeySchema = z.object({
  id: z.string(), tenantId: z.string(), name: z.string(), prefix: z.string(), scopes: z.array(z.enum(API_KEY_SCOPES)),
  lastUsedAt: Timestamp.nullable(), revokedAt: Timestamp.nullable(), createdAt: Timestamp,
}).openapi('ApiKey')
export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The plaintext key `mi_<prefix>_<secret>`. Shown only in this response.' }),
}).openapi('CreatedApiKey')
export const RevokedApiKeySchema = ApiKeySchema.extend({
  mintedKeysRevoked: z.number().int().min(0).openapi({
    description: 'How many keys this key minted (and keys those minted, …) this request revoked with it, all at one '
      + 'time; 0 when there were none or all were revoked already (as on a repeated revoke).',
  }),
}).openapi('RevokedApiKey')
export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) }).openapi('ApiKeyList')

export function serializeApiKey(key: ApiKey): z.infer<typeof ApiKeySchema> {
  return {
    id: key.id, tenantId: key.tenantId, name: key.name, prefix: key.prefix, scopes: key.scopes,
    lastUsedAt: iso(key.lastUsedAt), revokedAt: iso(key.revokedAt), createdAt: key.createdAt.toISOString(),
  }
}

// Usage
const Totals = {
  requests: z.number(), bytesIn: z.number(), bytesOut: z.number(), wakes: z.number(), coldStartMs: z.number(),
  tokensIn: z.number(), tokensOut: z.number(), activeSeconds: z.number(),
  toolCalls: z.number().openapi({ description: 'Tool calls the agent\'s model made (built-in, MCP, delegates)' }),
}
export const UsageQuery = z.object({
  from: z.iso.date().or(z.iso.datetime()).optional().openapi({ description: 'Inclusive start (date or date-time, UTC). Default: 30 days before `to`.' }),
  to: z.iso.date().or(z.iso.datetime()).optional().openapi({ description: 'Exclusive end. Default: now.' }),
  agentId: z.string().max(100).optional().openapi({ description: 'Only this agent (of your tenant)' }),
})
export const UsageSchema = z.object({
  tenantId: z.string(), agentId: z.string().nullable(), from: Timestamp, to: Timestamp,
  days: z.array(z.object({ day: z.string(), ...Totals })),
  totals: z.object(Totals),
}).openapi('Usage')

export type UsageDay = DailyUsage
