// Queries on long-term memories, scoped by agent id.
import { and, desc, eq } from 'drizzle-orm'
import type { TenantDb } from './tenant-db.ts'
import { memories } from './schema.ts'
import { isUuid } from './conversation-queries.ts'

export type MemoryRow = typeof memories.$inferSelect

export async function addMemory(db: TenantDb, agentId: string, content: string, source: 'user' | 'agent'): Promise<MemoryRow> {
  const [row] = await db.insert(memories).values({ agentId, content, source }).returning()
  return row!
}

/** Newest first. */
export async function listMemories(db: TenantDb, agentId: string, limit: number): Promise<MemoryRow[]> {
  return db.select().from(memories).where(eq(memories.agentId, agentId)).orderBy(desc(memories.createdAt), desc(memories.id)).limit(limit)
}

export async function deleteMemory(db: TenantDb, agentId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const rows = await db.delete(memories).where(and(eq(memories.agentId, agentId), eq(memories.id, id))).returning({ id: memories.id })
  return rows.length > 0
}
