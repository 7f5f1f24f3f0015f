// Zod schemas of /v1/agents/{id}/runs and /schedules (validation and the OpenAPI document) and their serializers.

import { z } from '@hono/zod-openapi'
import { RUN_STATUSES, RUN_TRIGGERS, type Run, type Schedule } from '../db/schema/index.ts'

const Timestamp = z.string().openapi({ format: 'date-time' })
const iso = (date: Date | null) => date?.toISOString() ?? null
/** A turn's message; the runtime bounds it again with its own limit. */
const Input = z.string().min(1).max(100_000).openapi({ description: 'The message the superfriend gets, as if a member sent it in chat' })

export const RunParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  runId: z.string().openapi({ param: { name: 'runId', in: 'path' } }),
})
export const ScheduleParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  scheduleId: z.string().openapi({ param: { name: 'scheduleId', in: 'path' } }),
})

export const CreateRunSchema = z.strictObject({
  input: Input,
  conversationId: z.string().min(1).max(100).optional().openapi({ description: 'Continue this conversation; default: a new one' }),
}).openapi('CreateRun')

export const RunSchema = z.object({
  id: z.string(), agentId: z.string(), tenantId: z.string(),
  status: z.enum(RUN_STATUSES), trigger: z.enum(RUN_TRIGGERS), scheduleId: z.string().nullable(),
  input: z.string(), output: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).nullable(),
  conversationId: z.string().nullable(), attempts: z.number().int(),
  createdAt: Timestamp, startedAt: Timestamp.nullable(), finishedAt: Timestamp.nullable(),
}).openapi('Run')

export const RunListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
})
export const RunListSchema = z.object({ items: z.array(RunSchema), nextCursor: z.string().nullable() }).openapi('RunList')

export function serializeRun(run: Run): z.infer<typeof RunSchema> {
  return {
    id: run.id, agentId: run.agentId, tenantId: run.tenantId, status: run.status, trigger: run.trigger, scheduleId: run.scheduleId,
    input: run.input, output: run.output, error: run.error ?? null, usage: run.usage ?? null, conversationId: run.conversationId,
    attempts: run.attempts, createdAt: run.createdAt.toISOString(), startedAt: iso(run.startedAt), finishedAt: iso(run.finishedAt),
  }
}

const Cron = z.string().min(1).max(200).openapi({ description: 'Five-field cron expression (croner), e.g. `0 9 * * 1-5`' })
const Timezone = z.string().min(1).max(100).openapi({ description: 'IANA timezone of the cron expression; default UTC' })
const At = z.iso.datetime({ offset: true }).openapi({ description: 'Fire once at this time (in the future)' })
const Every = z.string().max(20).openapi({ description: 'Fire every interval: `90s`, `15m`, `2h`, `1d`; at least one minute' })

export const CreateScheduleSchema = z.strictObject({
  input: Input,
  cron: Cron.optional(), timezone: Timezone.optional(), at: At.optional(), every: Every.optional(),
}).superRefine((body, ctx) => {
  const kinds = (['cron', 'at', 'every'] as const).filter((k) => body[k] !== undefined)
  if (kinds.length !== 1) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron, at, every' })
  if (body.timezone !== undefined && body.cron === undefined) ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'timezone goes with cron' })
}).openapi('CreateSchedule')

export const UpdateScheduleSchema = z.strictObject({
  input: Input.optional(),
  paused: z.boolean().optional().openapi({ description: 'true pauses (no fires), false resumes from now' }),
  cron: Cron.optional(), timezone: Timezone.optional(), at: At.optional(), every: Every.optional(),
}).superRefine((body, ctx) => {
  const kinds = (['cron', 'at', 'every'] as const).filter((k) => body[k] !== undefined)
  if (kinds.length > 1) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give at most one of cron, at, every' })
}).openapi('UpdateSchedule')

export const ScheduleSchema = z.object({
  id: z.string(), agentId: z.string(), tenantId: z.string(), input: z.string(),
  kind: z.enum(['cron', 'at', 'every']), cron: z.string().nullable(), timezone: z.string().nullable(), at: Timestamp.nullable(),
  every: z.string().nullable(), paused: z.boolean(),
  nextRunAt: Timestamp.nullable().openapi({ description: 'The next fire; null when paused or a one-shot that fired' }),
  lastRunAt: Timestamp.nullable(), lastRunId: z.string().nullable(), createdAt: Timestamp, updatedAt: Timestamp,
}).openapi('Schedule')
export const ScheduleListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
})
export const ScheduleListSchema = z.object({ items: z.array(ScheduleSchema), nextCursor: z.string().nullable() }).openapi('ScheduleList')

function everyText(ms: number | null): string | null {
  if (ms === null) return null
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms / 1000}s`
}

export function serializeSchedule(s: Schedule): z.infer<typeof ScheduleSchema> {
  return {
    id: s.id, agentId: s.agentId, tenantId: s.tenantId, input: s.input, kind: s.kind, cron: s.cron, timezone: s.timezone,
    at: iso(s.at), every: everyText(s.everyMs), paused: s.paused, nextRunAt: s.paused ? null : iso(s.nextRunAt),
    lastRunAt: iso(s.lastRunAt), lastRunId: s.lastRunId, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString(),
  }
}
