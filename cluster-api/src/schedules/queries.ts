// Schedule queries, tenant-scoped like agents. A fire is claimed by moving next_run_at forward, only while it is still
// due, in the same transaction as the run it creates: of several processes that see a schedule due, exactly one
// creates the run.

import { and, asc, count, eq, gt, isNotNull, lte, sql } from 'drizzle-orm'
import { isId, newId } from '../db/ids.ts'
import { agents, runs, schedules, type Run, type Schedule } from '../db/schema/index.ts'
import type { Db } from '../db/types.ts'
import type { Timing } from './timing.ts'

export function timingOf(schedule: Schedule): Timing {
  if (schedule.kind === 'cron') return { kind: 'cron', cron: schedule.cron!, timezone: schedule.timezone ?? 'UTC' }
  if (schedule.kind === 'at') return { kind: 'at', at: schedule.at! }
  return { kind: 'every', everyMs: schedule.everyMs! }
}

function timingColumns(timing: Timing) {
  return {
    kind: timing.kind,
    cron: timing.kind === 'cron' ? timing.cron : null,
    timezone: timing.kind === 'cron' ? timing.timezone : null,
    at: timing.kind === 'at' ? timing.at : null,
    everyMs: timing.kind === 'every' ? timing.everyMs : null,
  }
}

export class TooManySchedules extends Error {}

/** Inserts unless the agent has `limit` schedules already; the agent's row is locked so concurrent creates count right. */
export async function insertSchedule(db: Db, input: {
  tenantId: string; agentId: string; input: string; timing: Timing; nextRunAt: Date | null; principal: string; limit: number
}): Promise<Schedule> {
  return db.transaction(async (tx) => {
    await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, input.agentId)).for('update')
    const [{ value }] = await tx.select({ value: count() }).from(schedules).where(eq(schedules.agentId, input.agentId)) as [{ value: number }]
    if (value >= input.limit) throw new TooManySchedules(`the agent has ${value} schedules, the most it may have`)
    const [row] = await tx.insert(schedules).values({
      id: newId(), tenantId: input.tenantId, agentId: input.agentId, input: input.input, principal: input.principal,
      nextRunAt: input.nextRunAt, ...timingColumns(input.timing),
    }).returning()
    return row!
  })
}

export async function findSchedule(db: Db, tenantId: string, agentId: string, id: string): Promise<Schedule | null> {
  if (!isId(id) || !isId(agentId) || !isId(tenantId)) return null
  const [row] = await db.select().from(schedules).where(and(eq(schedules.id, id), eq(schedules.agentId, agentId), eq(schedules.tenantId, tenantId)))
  return row ?? null
}

export async function listSchedules(db: Db, tenantId: string, agentId: string, page: { limit: number; after?: string | undefined }): Promise<Schedule[]> {
  const where = [eq(schedules.tenantId, tenantId), eq(schedules.agentId, agentId)]
  if (page.after) where.push(gt(schedules.id, page.after))
  return db.select().from(schedules).where(and(...where)).orderBy(asc(schedules.id)).limit(page.limit)
}

export async function updateSchedule(db: Db, schedule: Schedule, patch: {
  input?: string | undefined; timing?: Timing | undefined; paused?: boolean | undefined; nextRunAt: Date | null
}): Promise<Schedule | null> {
  const [row] = await db.update(schedules).set({
    ...(patch.input !== undefined ? { input: patch.input } : {}),
    ...(patch.timing ? timingColumns(patch.timing) : {}),
    ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
    nextRunAt: patch.nextRunAt,
    updatedAt: new Date(),
  }).where(eq(schedules.id, schedule.id)).returning()
  return row ?? null
}

export async function deleteSchedule(db: Db, tenantId: string, agentId: string, id: string): Promise<boolean> {
  if (!isId(id) || !isId(agentId) || !isId(tenantId)) return false
  const gone = await db.delete(schedules).where(and(eq(schedules.id, id), eq(schedules.agentId, agentId), eq(schedules.tenantId, tenantId))).returning({ id: schedules.id })
  return gone.length === 1
}

/** Schedules whose next fire is due, oldest due first. */
export async function dueSchedules(db: Db, now: Date, limit: number): Promise<Schedule[]> {
  return db.select().from(schedules)
    .where(and(eq(schedules.paused, false), isNotNull(schedules.nextRunAt), lte(schedules.nextRunAt, now)))
    .orderBy(asc(schedules.nextRunAt)).limit(limit)
}

/**
 * Claims the due fire of `schedule` and creates its run, or returns null when another process claimed it first
 * (or the schedule was paused, moved or deleted since it was read).
 */
export async function claimFire(db: Db, schedule: Schedule, now: Date, next: Date | null): Promise<Run | null> {
  return db.transaction(async (tx) => {
    const runId = newId()
    const claimed = await tx.update(schedules)
      .set({ nextRunAt: next, lastRunAt: sql`now()`, lastRunId: runId })
      // Still due: a claimer that came first moved next_run_at past now (a next fire is always at least a minute
      // ahead), or to null. Not an equality on the read value: timestamptz keeps microseconds a JS Date drops.
      .where(and(eq(schedules.id, schedule.id), eq(schedules.paused, false), lte(schedules.nextRunAt, now)))
      .returning({ id: schedules.id })
    if (claimed.length === 0) return null
    const [run] = await tx.insert(runs).values({
      id: runId, tenantId: schedule.tenantId, agentId: schedule.agentId, trigger: 'schedule', scheduleId: schedule.id,
      status: 'queued', input: schedule.input, principal: schedule.principal,
    }).returning()
    return run!
  })
}
