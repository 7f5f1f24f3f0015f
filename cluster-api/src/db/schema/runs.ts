// Runs (one turn of a superfriend that no open request waits for), their stored events, and schedules that create
// runs. The queue itself is pg-boss's, in its own schema (runs/queue.ts); these rows are what the API shows.

import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { agents } from './agents.ts'
import { tenants } from './tenants.ts'

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]
export const RUN_TRIGGERS = ['api', 'schedule'] as const
export type RunTrigger = (typeof RUN_TRIGGERS)[number]

export interface RunError {
  /** Stable: `agent-did-not-wake`, `provider-failed`, `agent-paused`, `agent-deleted`, `run-lost`, … */
  code: string
  message: string
}
export interface RunUsage {
  inputTokens: number
  outputTokens: number
}

export const runs = pgTable('runs', {
  id: uuid('id').primaryKey(),
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  trigger: text('trigger').$type<RunTrigger>().notNull(),
  scheduleId: uuid('schedule_id'),
  status: text('status').$type<RunStatus>().notNull().default('queued'),
  input: text('input').notNull(),
  conversationId: text('conversation_id'),
  output: text('output'),
  error: jsonb('error').$type<RunError>(),
  usage: jsonb('usage').$type<RunUsage>(),
  /** Who the turn speaks as to the runtime (X-Principal): the caller that created the run or its schedule. */
  principal: text('principal').notNull(),
  attempts: integer('attempts').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}, (t) => [
  index('runs_agent_id_id_idx').on(t.agentId, t.id),
  index('runs_status_idx').on(t.status),
])

export const runEvents = pgTable('run_events', {
  runId: uuid('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
  /** 1, 2, 3 … per run: the SSE event id a client resumes from (Last-Event-ID). */
  seq: integer('seq').notNull(),
  type: text('type').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.runId, t.seq] })])

export const SCHEDULE_KINDS = ['cron', 'at', 'every'] as const
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number]

export const schedules = pgTable('schedules', {
  id: uuid('id').primaryKey(),
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  input: text('input').notNull(),
  kind: text('kind').$type<ScheduleKind>().notNull(),
  cron: text('cron'),
  timezone: text('timezone'),
  at: timestamp('at', { withTimezone: true }),
  everyMs: bigint('every_ms', { mode: 'number' }),
  paused: boolean('paused').notNull().default(false),
  /** The next fire; null once a one-shot fired. A fire is claimed by moving this forward (schedules/fire.ts). */
  nextRunAt: timestamp('next_run_at', { withTimezone: true }),
  lastRunAt: timestamp('last_run_at', { withTimezone: true }),
  lastRunId: uuid('last_run_id'),
  principal: text('principal').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('schedules_agent_id_id_idx').on(t.agentId, t.id),
  index('schedules_next_run_at_idx').on(t.nextRunAt),
])

export type Run = typeof runs.$inferSelect
export type RunEvent = typeof runEvents.$inferSelect
export type Schedule = typeof schedules.$inferSelect
