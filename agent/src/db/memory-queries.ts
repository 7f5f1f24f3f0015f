// Queries on long-term memories, scoped by agent id. A memory is agent-wide (principal null) or one guest's own.
import { and, desc, eq, isNull, or } from 'drizzle-orm'
import type { TenantDb } from './tenant-db.ts'
import { memories } from './schema.ts'
import { isUuid } from './conversation-queries.ts'

export type MemoryRow = typeof memories.$inferSelect

/** `principal`: null keeps it agent-wide; a guest's principal keeps it for that guest alone. */
export async function addMemory(db: TenantDb, agentId: string, principal: string | null, content: string, source: 'user' | 'agent'): Promise<MemoryRow> {
  const [row] = await db.insert(memories).values({ agentId, principal, content, source }).returning()
  return row!
}

/** Every memory of the agent, agent-wide and guests' alike (what its members see), newest first. */
export async function listMemories(db: TenantDb, agentId: string, limit: number): Promise<MemoryRow[]> {
  return db.select().from(memories).where(eq(memories.agentId, agentId)).orderBy(desc(memories.createdAt), desc(memories.id)).limit(limit)
}

/** What a turn for `owner` recalls: the agent-wide memories and the owner's own (none of another's), newest first. */
export async function recallMemories(db: TenantDb, agentId: string, owner: string | null, limit: number): Promise<MemoryRow[]> {
  const whose = owner === null ? isNull(memories.principal) : or(isNull(memories.principal), eq(memories.principal, owner))
  return db.select().from(memories).where(and(eq(memories.agentId, agentId), whose))
    .orderBy(desc(memories.createdAt), desc(memories.id)).limit(limit)
}

export async function deleteMemory(db: TenantDb, agentId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const rows = await db.delete(memories).where(and(eq(memories.agentId, agentId), eq(memories.id, id))).returning({ id: memories.id })
  return rows.length > 0
}
