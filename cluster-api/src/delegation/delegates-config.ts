// An agent's delegates as the /v1 API takes them (slugs of other agents of the same tenant) and the checks that need
// the database: every slug names an agent of the tenant (another tenant's is "unknown", never told apart), none is
// the agent itself, and the graph of the tenant's delegates stays acyclic. Each refusal is a 422 naming the field.

import { z } from '@hono/zod-openapi'
import { and, eq, sql } from 'drizzle-orm'
import { ProblemError } from '../../../wire/problem.ts'
import { agents } from '../db/schema/index.ts'
import type { Db } from '../db/types.ts'

/** A delegate is a tool of its caller: beyond a handful the model chooses badly and the prompt grows. */
export const MAX_DELEGATES = 8

export const DelegatesSchema = z.array(z.string().min(1).max(100)).max(MAX_DELEGATES)
  .superRefine((slugs, ctx) => {
    const seen = new Set<string>()
    slugs.forEach((slug, index) => {
      if (seen.has(slug)) ctx.addIssue({ code: 'custom', path: [index], message: `delegate "${slug}" is named twice` })
      seen.add(slug)
    })
  })
  .openapi({ description: `Slugs of other agents of the same tenant this agent may consult as tools (delegate_<slug>); at most ${MAX_DELEGATES}, no cycles` })

interface Issue { path: string; message: string; code: string }

function refused(issues: Issue[]): ProblemError {
  return new ProblemError({
    status: 422, code: 'validation-failed', title: 'Request does not match the schema',
    detail: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    extensions: { issues },
  })
}

/** The tenant's delegation graph: slug → its delegates' slugs. */
async function tenantGraph(db: Db, tenantId: string): Promise<Map<string, string[]>> {
  const rows = await db.select({ slug: agents.slug, delegates: agents.delegates }).from(agents).where(eq(agents.tenantId, tenantId))
  return new Map(rows.map((row) => [row.slug, row.delegates]))
}

/** The path from `from` to `to` through the graph, if there is one (depth-first; the graph is small and acyclic). */
function pathBetween(graph: Map<string, string[]>, from: string, to: string, seen = new Set<string>()): string[] | null {
  if (from === to) return [to]
  if (seen.has(from)) return null
  seen.add(from)
  for (const next of graph.get(from) ?? []) {
    const rest = pathBetween(graph, next, to, seen)
    if (rest) return [from, ...rest]
  }
  return null
}

/**
 * Refuses (422, `delegates.<i>`) delegates of the agent `self` (its slug after this request; `previousSlug` its slug
 * before, for an update) that are unknown in the tenant, itself, or that would close a cycle through any depth.
 */
export async function checkDelegates(db: Db, tenantId: string, self: { slug: string; previousSlug?: string }, delegates: readonly string[]): Promise<void> {
  if (delegates.length === 0) return
  const graph = await tenantGraph(db, tenantId)
  if (self.previousSlug !== undefined && self.previousSlug !== self.slug) {
    graph.set(self.slug, graph.get(self.previousSlug) ?? [])
    graph.delete(self.previousSlug)
  }
  graph.set(self.slug, [...delegates])
  const issues: Issue[] = []
  delegates.forEach((slug, index) => {
    const path = `delegates.${index}`
    if (slug === self.slug || slug === self.previousSlug) issues.push({ path, message: 'an agent cannot be its own delegate', code: 'self-delegate' })
    else if (!graph.has(slug)) issues.push({ path, message: `no agent "${slug}" in this tenant`, code: 'unknown-agent' })
    else {
      const back = pathBetween(graph, slug, self.slug)
      if (back) issues.push({ path, message: `would close a cycle: ${[self.slug, ...back].join(' → ')}`, code: 'delegation-cycle' })
    }
  })
  if (issues.length > 0) throw refused(issues)
}

/** The delegates of one agent with their names, for its RuntimeConfig: only agents still in its own tenant. */
export async function delegatesOf(db: Db, agent: { tenantId: string; delegates: readonly string[] }): Promise<{ slug: string; name: string }[]> {
  if (agent.delegates.length === 0) return []
  const rows = await db.select({ slug: agents.slug, name: agents.name }).from(agents).where(eq(agents.tenantId, agent.tenantId))
  const names = new Map(rows.map((row) => [row.slug, row.name]))
  return agent.delegates.filter((slug) => names.has(slug)).map((slug) => ({ slug, name: names.get(slug)! }))
}

/** A delegate of `callerTenantId` by slug, or null (unknown, or in another tenant: the same answer). */
export async function findDelegate(db: Db, callerTenantId: string, slug: string) {
  const [row] = await db.select().from(agents).where(and(eq(agents.tenantId, callerTenantId), eq(agents.slug, slug))).limit(1)
  return row ?? null
}

/**
 * After an agent's slug changed (`to`) or the agent was deleted (`to` null): the delegates lists of its tenant that
 * named it follow, so a rename keeps a delegation and a later agent taking the freed slug does not inherit one.
 * Returns the agents whose list changed (their runtimes need the new config).
 */
export async function followDelegate(db: Db, tenantId: string, from: string, to: string | null) {
  const rows = await db.select().from(agents).where(and(eq(agents.tenantId, tenantId), sql`${agents.delegates} ? ${from}`))
  const changed = []
  for (const row of rows) {
    const delegates = row.delegates.flatMap((slug) => (slug !== from ? [slug] : to === null ? [] : [to]))
    const [updated] = await db.update(agents).set({ delegates, updatedAt: new Date() }).where(eq(agents.id, row.id)).returning()
    if (updated) changed.push(updated)
  }
  return changed
}
