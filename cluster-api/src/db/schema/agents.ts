// Agents (superfriends): identity, persona and model settings, plus the workload activity state
// that the edge reports and KEDA reads.

import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import type { McpServerConfig } from '../../../../wire/agent-tools.ts'
import type { Visibility, WorkloadState } from '../../../../wire/internal-api.ts'
import { tenants } from './tenants.ts'

export interface Persona {
  systemPrompt: string
  style: string
}

export interface ModelSettings {
  provider: string
  model: string
  temperature?: number
  maxOutputTokens?: number
}

/** What the owner wants: `running` agents wake on demand; `paused` agents refuse to wake. */
export const DESIRED_STATES = ['running', 'paused'] as const
export type DesiredState = (typeof DESIRED_STATES)[number]

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey(),
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  /** Globally unique: it is the agent's subdomain. The unique index makes route lookup one index probe. */
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  persona: jsonb('persona').$type<Persona>().notNull(),
  model: jsonb('model').$type<ModelSettings>().notNull(),
  visibility: text('visibility').$type<Visibility>().notNull().default('private'),
  desiredState: text('desired_state').$type<DesiredState>().notNull().default('running'),
  /** Built-in tools (wire/agent-tools.ts BUILTIN_TOOLS). An agent from before tools has none; a new one DEFAULT_TOOLS. */
  tools: jsonb('tools').$type<string[]>().notNull().default([]),
  /** MCP servers; each header names one of the agent's secrets, never a value. */
  mcpServers: jsonb('mcp_servers').$type<McpServerConfig[]>().notNull().default([]),
  /** Slugs of agents of the same tenant this agent may consult as tools; acyclic, at most MAX_DELEGATES (src/delegation). */
  delegates: jsonb('delegates').$type<string[]>().notNull().default([]),
  workloadState: text('workload_state').$type<WorkloadState>().notNull().default('cold'),
  lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
  lastWakeAt: timestamp('last_wake_at', { withTimezone: true }),
  openStreams: integer('open_streams').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  // Listing a tenant's agents pages by id (time-ordered UUIDv7) within the tenant.
  index('agents_tenant_id_id_idx').on(t.tenantId, t.id),
])

export type Agent = typeof agents.$inferSelect
