// The memories an MCP caller may search: every memory of the agent for a member of its tenant, only its own for a
// guest of a public agent (as GET /v1/memories is members-only, a guest never reads another's or the agent-wide ones).
import { and, desc, eq, ilike, type SQL } from 'drizzle-orm'
import type { Caller } from '../http/caller.ts'
import type { MemoryRow } from '../db/memory-queries.ts'
import { memories } from '../db/schema.ts'
import type { TenantDb } from '../db/tenant-db.ts'

/** Words of the query: each must occur in a memory (case-insensitive), so "teal colour" finds "my colour is teal". */
export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((w) => w !== '')
}

/** LIKE treats % and _ as wildcards and \ as the escape; a caller's word matches only itself. */
const literal = (word: string) => `%${word.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`

export async function searchMemories(db: TenantDb, agentId: string, caller: Caller, query: string, limit: number): Promise<MemoryRow[]> {
  if (!caller.member && caller.owner === null) return []
  const filters: SQL[] = [eq(memories.agentId, agentId), ...queryWords(query).map((w) => ilike(memories.content, literal(w)))]
  if (!caller.member) filters.push(eq(memories.principal, caller.owner!))
  return db.select().from(memories).where(and(...filters)).orderBy(desc(memories.createdAt), desc(memories.id)).limit(limit)
}
