// Run and run-event queries. Every function a /v1 handler calls takes the tenant (and agent) id: another tenant's run
// is simply not found. The worker's functions take the run id alone: it acts for the platform.

import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm'
import { isId, newId } from '../db/ids.ts'
import { runEvents, runs, type Run, type RunError, type RunEvent, type RunStatus, type RunTrigger, type RunUsage } from '../db/schema/index.ts'
import type { Db } from '../db/types.ts'

export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled']

export interface NewRun {
  tenantId: string
  agentId: string
  trigger: RunTrigger
  scheduleId?: string | null
  input: string
  conversationId?: string | null
  principal: string
}

export async function insertRun(db: Db, input: NewRun): Promise<Run> {
  const [run] = await db.insert(runs).values({ id: newId(), status: 'queued', ...input }).returning()
  return run!
}

export async function findRun(db: Db, tenantId: string, agentId: string, runId: string): Promise<Run | null> {
  if (!isId(runId) || !isId(agentId) || !isId(tenantId)) return null
  const [run] = await db.select().from(runs).where(and(eq(runs.id, runId), eq(runs.agentId, agentId), eq(runs.tenantId, tenantId)))
  return run ?? null
}

export async function findRunById(db: Db, runId: string): Promise<Run | null> {
  if (!isId(runId)) return null
  const [run] = await db.select().from(runs).where(eq(runs.id, runId))
  return run ?? null
}

/** Newest first; `before` is the last id of the previous page. */
export async function listRuns(db: Db, tenantId: string, agentId: string, page: {
  limit: number; before?: string | undefined; status?: RunStatus | undefined; trigger?: RunTrigger | undefined
}): Promise<Run[]> {
  const where = [eq(runs.tenantId, tenantId), eq(runs.agentId, agentId)]
  if (page.before) where.push(lt(runs.id, page.before))
  if (page.status) where.push(eq(runs.status, page.status))
  if (page.trigger) where.push(eq(runs.trigger, page.trigger))
  return db.select().from(runs).where(and(...where)).orderBy(desc(runs.id)).limit(page.limit)
}

/** queued|running → running with one more attempt; null when the run is over (cancelled meanwhile, or done). */
export async function startAttempt(db: Db, runId: string): Promise<Run | null> {
  const [run] = await db.update(runs)
    .set({ status: 'running', attempts: sql`${runs.attempts} + 1`, startedAt: sql`coalesce(${runs.startedAt}, now())` })
    .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running']))).returning()
  return run ?? null
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'cancelled'
  output?: string | null
  error?: RunError | null
  usage?: RunUsage | null
  conversationId?: string | null
}

/** Ends a run that is not over yet; false when it already was (a cancel won). */
export async function finishRun(db: Db, runId: string, outcome: RunOutcome): Promise<boolean> {
  const done = await db.update(runs).set({
    status: outcome.status,
    ...(outcome.output !== undefined ? { output: outcome.output } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.usage !== undefined ? { usage: outcome.usage } : {}),
    ...(outcome.conversationId ? { conversationId: outcome.conversationId } : {}),
    finishedAt: new Date(),
  }).where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running']))).returning({ id: runs.id })
  return done.length === 1
}

export async function setRunConversation(db: Db, runId: string, conversationId: string): Promise<void> {
  await db.update(runs).set({ conversationId }).where(eq(runs.id, runId))
}

/** Runs not over whose last word is older than `olderThan`: what a recovery sweep looks at. */
export async function listUnfinishedRuns(db: Db, createdBefore: Date): Promise<Run[]> {
  return db.select().from(runs).where(and(inArray(runs.status, ['queued', 'running']), lt(runs.createdAt, createdBefore))).orderBy(asc(runs.id)).limit(1_000)
}

/**
 * Appends an event with the next sequence number of its run. The primary key (run_id, seq) makes two concurrent
 * writers of one run conflict instead of interleaving: only one attempt of a run writes at a time (pg-boss), so
 * a conflict is retried once with a fresh number.
 */
export async function appendEvent(db: Db, runId: string, type: string, data: Record<string, unknown>): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await db.insert(runEvents).values({
        runId, type, data,
        seq: sql`(select coalesce(max(${runEvents.seq}), 0) + 1 from ${runEvents} where ${runEvents.runId} = ${runId})`,
      }).returning({ seq: runEvents.seq })
      return row!.seq
    } catch (error) {
      if (attempt >= 2) throw error
    }
  }
}

export async function eventsAfter(db: Db, runId: string, afterSeq: number, limit = 500): Promise<RunEvent[]> {
  return db.select().from(runEvents).where(and(eq(runEvents.runId, runId), gt(runEvents.seq, afterSeq))).orderBy(asc(runEvents.seq)).limit(limit)
}
