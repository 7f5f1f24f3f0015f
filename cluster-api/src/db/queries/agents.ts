// Agent queries. Every function a /v1 handler calls takes the caller's tenant id: another tenant's
// agent is simply not found. The internal (edge) lookups are by slug or id alone.

import { and, asc, eq, gt, ne, notInArray, sql } from 'drizzle-orm'
import type { WorkloadState } from '../../../../wire/internal-api.ts'
import type { McpServerConfig } from '../../../../wire/agent-tools.ts'
import { isId, newId } from '../ids.ts'
import { isValidSlug } from '../../../../wire/slug.ts'
import { preparedPerDb } from '../prepared.ts'
import { agents, type Agent, type DesiredState, type ModelSettings, type Persona } from '../schema/index.ts'
import type { Db } from '../types.ts'

export interface NewAgent {
  slug: string
  name: string
  persona: Persona
  model: ModelSettings
  visibility: 'private' | 'public'
  desiredState: DesiredState
  /** Unset: none (the column's default); the API gives a new agent DEFAULT_TOOLS. */
  tools?: string[]
  mcpServers?: McpServerConfig[]
  /** Slugs of agents of the same tenant (checked by delegation/delegates-config.ts before). Unset: none. */
  delegates?: string[]
}

export type AgentPatch = Partial<Omit<NewAgent, 'slug'>> & { slug?: string | undefined }

export async function createAgent(db: Db, tenantId: string, input: NewAgent): Promise<Agent> {
  const [agent] = await db.insert(agents).values({ id: newId(), tenantId, ...input }).returning()
  return agent!
}

const agentOfTenant = preparedPerDb((db) => db.select().from(agents)
  .where(and(eq(agents.id, sql.placeholder('id')), eq(agents.tenantId, sql.placeholder('tenantId')))).prepare('find_agent_of_tenant'))

export async function findAgent(db: Db, tenantId: string, id: string): Promise<Agent | null> {
  if (!isId(id) || !isId(tenantId)) return null
  const [agent] = await agentOfTenant(db).execute({ id, tenantId })
  return agent ?? null
}

const agentById = preparedPerDb((db) => db.select().from(agents).where(eq(agents.id, sql.placeholder('id'))).prepare('find_agent_by_id'))

/** Internal use only (wake, status, scaling): the caller is the edge or the platform itself. */
export async function findAgentById(db: Db, id: string): Promise<Agent | null> {
  if (!isId(id)) return null
  const [agent] = await agentById(db).execute({ id })
  return agent ?? null
}

export interface AgentRoute {
  id: string
  tenantId: string
  slug: string
  visibility: 'private' | 'public'
  workloadState: WorkloadState
}

const routeLookup = preparedPerDb((db) => db.select({
  id: agents.id, tenantId: agents.tenantId, slug: agents.slug, visibility: agents.visibility, workloadState: agents.workloadState,
}).from(agents).where(eq(agents.slug, sql.placeholder('slug'))).limit(1).prepare('find_agent_by_slug'))

/**
 * The edge's route lookup: one probe of the unique slug index, only the columns routing needs. Always
 * read from the database (no cache here): the edge caches routes itself, per isolate and per AgentGate,
 * so a cache in this process would add staleness to changes without saving queries.
 */
export async function findAgentBySlug(db: Db, slug: string): Promise<AgentRoute | null> {
  // A slug that breaks the rules names no agent (the edge answers such hosts itself): no query for it.
  if (!isValidSlug(slug)) return null
  const [route] = await routeLookup(db).execute({ slug })
  return route ?? null
}

/** A page of the tenant's agents in id (creation) order; `after` is the last id of the previous page. */
export async function listAgents(db: Db, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<Agent[]> {
  const scope = eq(agents.tenantId, tenantId)
  const where = page.after && isId(page.after) ? and(scope, gt(agents.id, page.after)) : scope
  return db.select().from(agents).where(where).orderBy(asc(agents.id)).limit(page.limit)
}

/** Every agent of every tenant: the desired set a workload driver reconciles against (orphans are the rest). */
export async function listAllAgents(db: Db): Promise<Agent[]> {
  return db.select().from(agents).orderBy(agents.id)
}

export async function updateAgent(db: Db, tenantId: string, id: string, patch: AgentPatch): Promise<Agent | null> {
  if (!isId(id)) return null
  const [agent] = await db.update(agents).set({ ...patch, updatedAt: new Date() })
    .where(and(eq(agents.id, id), eq(agents.tenantId, tenantId))).returning()
  return agent ?? null
}

export async function deleteAgent(db: Db, tenantId: string, id: string): Promise<boolean> {
  if (!isId(id)) return false
  const deleted = await db.delete(agents).where(and(eq(agents.id, id), eq(agents.tenantId, tenantId))).returning({ id: agents.id })
  return deleted.length > 0
}

export async function setWorkloadState(db: Db, id: string, state: WorkloadState, woke = false): Promise<void> {
  await db.update(agents).set({ workloadState: state, ...(woke ? { lastWakeAt: new Date() } : {}) }).where(eq(agents.id, id))
}

/** A wake was asked for: KEDA's trigger keeps a just-woken agent up (the scaling endpoint reads lastWakeAt). */
export async function recordWake(db: Db, id: string): Promise<void> {
  await db.update(agents).set({ lastWakeAt: new Date() }).where(eq(agents.id, id))
}

/**
 * Every agent but those in `known` whose stored state is not `cold` becomes `cold`: the driver runs nothing for them
 * (after a restart of the local driver, nothing runs at all). Returns how many were corrected.
 */
export async function markColdExcept(db: Db, known: readonly string[]): Promise<number> {
  const notCold = ne(agents.workloadState, 'cold')
  const where = known.length > 0 ? and(notCold, notInArray(agents.id, [...known])) : notCold
  const corrected = await db.update(agents).set({ workloadState: 'cold' }).where(where).returning({ id: agents.id })
  return corrected.length
}

/** Activity from the edge: the newest report wins for open streams; last activity only moves forward. */
export async function recordAgentActivity(db: Db, id: string, at: Date, openStreams: number): Promise<void> {
  await db.update(agents).set({
    lastActiveAt: sql`greatest(${agents.lastActiveAt}, ${at.toISOString()}::timestamptz)`,
    openStreams: sql`case when ${agents.lastActiveAt} is null or ${agents.lastActiveAt} <= ${at.toISOString()}::timestamptz then ${openStreams} else ${agents.openStreams} end`,
  }).where(eq(agents.id, id))
}
