// Queries on long-term memories, scoped by agent id. A memory is agent-wide (principal null) or one guest's own.
// Recall is by relevance: PostgreSQL full-text search over `memories.search` (a GIN-indexed tsvector) ranks them
// against the turn's message; pinned memories always come first.
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm'
import type { TenantDb } from './tenant-db.ts'
import { memories } from './schema.ts'
import { isUuid } from './conversation-queries.ts'

export type MemoryRow = Omit<typeof memories.$inferSelect, 'search'>

/** Every column but the tsvector, which no caller reads. */
const columns = {
  id: memories.id, agentId: memories.agentId, principal: memories.principal, content: memories.content,
  source: memories.source, pinned: memories.pinned, createdAt: memories.createdAt,
}

/** `principal`: null keeps it agent-wide; a guest's principal keeps it for that guest alone. */
export async function addMemory(db: TenantDb, agentId: string, principal: string | null, content: string, source: 'user' | 'agent', pinned = false): Promise<MemoryRow> {
  const [row] = await db.insert(memories).values({ agentId, principal, content, source, pinned }).returning(columns)
  return row!
}

/** Every memory of the agent, agent-wide and guests' alike (what its members see), newest first. */
export async function listMemories(db: TenantDb, agentId: string, limit: number): Promise<MemoryRow[]> {
  return db.select(columns).from(memories).where(eq(memories.agentId, agentId)).orderBy(desc(memories.createdAt), desc(memories.id)).limit(limit)
}

/** The memories a turn for `owner` may reach: the agent-wide ones and the owner's own (none of another's). */
function reachable(agentId: string, owner: string | null) {
  const whose = owner === null ? isNull(memories.principal) : or(isNull(memories.principal), eq(memories.principal, owner))
  return and(eq(memories.agentId, agentId), whose)
}

/** What a turn for `owner` recalls by age: the agent-wide memories and the owner's own, newest first. */
export async function recallMemories(db: TenantDb, agentId: string, owner: string | null, limit: number): Promise<MemoryRow[]> {
  return db.select(columns).from(memories).where(reachable(agentId, owner))
    .orderBy(desc(memories.createdAt), desc(memories.id)).limit(limit)
}

// Words that match nearly every memory and so rank none: left out of the query ('simple' keeps every word).
const STOP_WORDS = new Set(('a an and are as at be but by can do does for from had has have he her him his how i if in into is it its me '
  + 'my no not of on or our she so than that the their them then there they this to too us was we were what when where which who '
  + 'why will with you your').split(' '))
/** A message's terms beyond this many add little to the ranking and cost query time. */
const MAX_QUERY_TERMS = 32

/**
 * An OR query (`to_tsquery` text) over the words of `text`, or null when it has none worth searching. Only letters
 * and digits reach it, so no tsquery operator can come from a user.
 */
export function relevanceQuery(text: string): string | null {
  const words = new Set<string>()
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0]
    // One letter says nothing; one digit may be the point ("row 3").
    if ((word.length < 2 && !/\p{N}/u.test(word)) || STOP_WORDS.has(word)) continue
    words.add(word)
    if (words.size >= MAX_QUERY_TERMS) break
  }
  return words.size === 0 ? null : [...words].join(' | ')
}

export type RecalledMemory = MemoryRow & { relevant: boolean }

/**
 * What a turn recalls, best first: pinned memories, then those that match `text` by rank, then the rest newest
 * first; the caller keeps as many as its token budget allows. `limit` bounds the rows read.
 */
export async function recallRelevantMemories(db: TenantDb, agentId: string, owner: string | null, text: string, limit: number): Promise<RecalledMemory[]> {
  const query = relevanceQuery(text)
  const where = reachable(agentId, owner)
  // (A constant in ORDER BY would name a column position, so the no-words case orders by age alone.)
  if (query === null) {
    return db.select({ ...columns, relevant: sql<boolean>`false` }).from(memories).where(where)
      .orderBy(desc(memories.pinned), desc(memories.createdAt), desc(memories.id)).limit(limit)
  }
  const q = sql`to_tsquery('simple', ${query})`
  const matches = sql<boolean>`coalesce(${memories.search} @@ ${q}, false)`
  return db.select({ ...columns, relevant: matches }).from(memories).where(where)
    .orderBy(desc(memories.pinned), desc(matches), desc(sql`ts_rank(${memories.search}, ${q})`), desc(memories.createdAt), desc(memories.id)).limit(limit)
}

/** The memory tool's search: matches for `query` by rank (newest first when it has no words), within reach of `owner`. */
export async function searchMemories(db: TenantDb, agentId: string, owner: string | null, query: string, limit: number): Promise<MemoryRow[]> {
  const terms = relevanceQuery(query)
  if (terms === null) return recallMemories(db, agentId, owner, limit)
  const q = sql`to_tsquery('simple', ${terms})`
  return db.select(columns).from(memories).where(and(reachable(agentId, owner), sql`${memories.search} @@ ${q}`))
    .orderBy(desc(sql`ts_rank(${memories.search}, ${q})`), desc(memories.createdAt)).limit(limit)
}

export async function deleteMemory(db: TenantDb, agentId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const rows = await db.delete(memories).where(and(eq(memories.agentId, agentId), eq(memories.id, id))).returning({ id: memories.id })
  return rows.length > 0
}

/** Deletes a memory only if it is `principal`'s own (null: an agent-wide one): a guest forgets nothing of another's. */
export async function deleteOwnMemory(db: TenantDb, agentId: string, principal: string | null, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const whose = principal === null ? isNull(memories.principal) : eq(memories.principal, principal)
  const rows = await db.delete(memories).where(and(eq(memories.agentId, agentId), whose, eq(memories.id, id))).returning({ id: memories.id })
  return rows.length > 0
}
