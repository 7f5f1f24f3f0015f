// Purges a tenant database owes for deleted agents (schema/agent-data-purges.ts). Times are the database's own
// clock (now()), so several cluster-api replicas agree on what is due.

import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm'
import { isId } from '../ids.ts'
import { agentDataPurges, agents, tenants } from '../schema/index.ts'
import type { Db } from '../types.ts'

const inMs = (ms: number) => sql`now() + ${Math.max(0, Math.round(ms))} * interval '1 millisecond'`

/**
 * Deletes the tenant's agent and records the purge of its tenant data in one transaction: either the agent is
 * gone and its data is owed, or nothing happened. The purge is first due after `firstDueInMs` (the request's own
 * attempt runs before then; should the process die, any purger takes it up after that).
 */
export async function deleteAgentOwingPurge(db: Db, tenantId: string, id: string, firstDueInMs: number): Promise<boolean> {
  if (!isId(id) || !isId(tenantId)) return false
  return db.transaction(async (tx) => {
    const deleted = await tx.delete(agents).where(and(eq(agents.id, id), eq(agents.tenantId, tenantId))).returning({ id: agents.id })
    if (deleted.length === 0) return false
    await tx.insert(agentDataPurges).values({ agentId: id, tenantId, nextAttemptAt: inMs(firstDueInMs) }).onConflictDoNothing()
    return true
  })
}

export interface OwedPurge {
  agentId: string
  tenantId: string
  tenantSlug: string
  failures: number
}

/**
 * Takes up to `limit` due purges, pushing each one's next attempt `leaseMs` ahead first: another purger skips them
 * meanwhile (SKIP LOCKED), and one this purger dies on comes due again when the lease ends.
 */
export async function takeDuePurges(db: Db, limit: number, leaseMs: number): Promise<OwedPurge[]> {
  const due = db.select({ agentId: agentDataPurges.agentId }).from(agentDataPurges)
    .where(lte(agentDataPurges.nextAttemptAt, sql`now()`)).orderBy(asc(agentDataPurges.nextAttemptAt)).limit(limit)
    .for('update', { skipLocked: true })
  const taken = await db.update(agentDataPurges).set({ nextAttemptAt: inMs(leaseMs) })
    .where(inArray(agentDataPurges.agentId, due))
    .returning({ agentId: agentDataPurges.agentId, tenantId: agentDataPurges.tenantId, failures: agentDataPurges.failures })
  if (taken.length === 0) return []
  const slugs = new Map((await db.select({ id: tenants.id, slug: tenants.slug }).from(tenants)
    .where(inArray(tenants.id, [...new Set(taken.map((t) => t.tenantId))]))).map((t) => [t.id, t.slug]))
  // A purge's tenant is always there: deleting a tenant deletes its purges (and its database) with it.
  return taken.flatMap((t) => {
    const tenantSlug = slugs.get(t.tenantId)
    return tenantSlug ? [{ ...t, tenantSlug }] : []
  })
}

/** The owed purge of one agent, if any (the request's own attempt, which does not go through takeDuePurges). */
export async function findOwedPurge(db: Db, agentId: string): Promise<OwedPurge | null> {
  const [row] = await db.select({
    agentId: agentDataPurges.agentId, tenantId: agentDataPurges.tenantId, failures: agentDataPurges.failures, tenantSlug: tenants.slug,
  }).from(agentDataPurges).innerJoin(tenants, eq(tenants.id, agentDataPurges.tenantId)).where(eq(agentDataPurges.agentId, agentId))
  return row ?? null
}

/** A sweep succeeded: the purge is done after its last sweep, else the next one is due in `againInMs`. */
export async function recordSweep(db: Db, agentId: string, againInMs: number): Promise<'done' | 'again'> {
  const [done] = await db.delete(agentDataPurges)
    .where(and(eq(agentDataPurges.agentId, agentId), lte(agentDataPurges.sweepsLeft, 1))).returning({ agentId: agentDataPurges.agentId })
  if (done) return 'done'
  await db.update(agentDataPurges)
    .set({ sweepsLeft: sql`${agentDataPurges.sweepsLeft} - 1`, nextAttemptAt: inMs(againInMs), lastError: null })
    .where(eq(agentDataPurges.agentId, agentId))
  return 'again'
}

export async function recordPurgeFailure(db: Db, agentId: string, reason: string, retryInMs: number): Promise<void> {
  await db.update(agentDataPurges)
    .set({ failures: sql`${agentDataPurges.failures} + 1`, lastError: reason.slice(0, 500), nextAttemptAt: inMs(retryInMs) })
    .where(eq(agentDataPurges.agentId, agentId))
}
