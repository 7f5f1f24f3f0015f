// Queries on conversations and messages, one plain function each, `db` first.
// Every query is scoped by agent id: a tenant's database is shared by its agents, their data is not.
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm'
import type { TenantDb } from './tenant-db.ts'
import { conversations, messages } from './schema.ts'

export type ConversationRow = typeof conversations.$inferSelect
export type MessageRow = typeof messages.$inferSelect
export type NewMessage = Omit<typeof messages.$inferInsert, 'id' | 'createdAt'>

/** Titles are the first words of the first message: enough to recognise a conversation in a list. */
const TITLE_MAX_CHARS = 80

export async function createConversation(db: TenantDb, agentId: string, firstMessage: string): Promise<ConversationRow> {
  const title = firstMessage.replace(/\s+/g, ' ').trim().slice(0, TITLE_MAX_CHARS)
  const [row] = await db.insert(conversations).values({ agentId, title }).returning()
  return row!
}

export async function findConversation(db: TenantDb, agentId: string, id: string): Promise<ConversationRow | null> {
  // Not a UUID cannot exist; checking here avoids a database error for ids like "abc".
  if (!isUuid(id)) return null
  const [row] = await db.select().from(conversations).where(and(eq(conversations.agentId, agentId), eq(conversations.id, id)))
  return row ?? null
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
}

/** Newest first; the cursor is the `updatedAt|id` of the last row of the previous page. */
export async function listConversations(db: TenantDb, agentId: string, limit: number, before?: { updatedAt: Date; id: string }): Promise<ConversationRow[]> {
  const where = before
    ? and(eq(conversations.agentId, agentId), sql`(${conversations.updatedAt}, ${conversations.id}) < (${before.updatedAt.toISOString()}::timestamptz, ${before.id}::uuid)`)
    : eq(conversations.agentId, agentId)
  return db.select().from(conversations).where(where).orderBy(desc(conversations.updatedAt), desc(conversations.id)).limit(limit)
}

export async function deleteConversation(db: TenantDb, agentId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const rows = await db.delete(conversations).where(and(eq(conversations.agentId, agentId), eq(conversations.id, id))).returning({ id: conversations.id })
  return rows.length > 0
}

export async function touchConversation(db: TenantDb, id: string): Promise<void> {
  await db.update(conversations).set({ updatedAt: new Date() }).where(eq(conversations.id, id))
}

export async function insertMessage(db: TenantDb, message: NewMessage): Promise<MessageRow> {
  const [row] = await db.insert(messages).values(message).returning()
  return row!
}

/** Oldest first, after the cursor (a message id). */
export async function listMessages(db: TenantDb, conversationId: string, limit: number, after?: number): Promise<MessageRow[]> {
  const where = after !== undefined ? and(eq(messages.conversationId, conversationId), gt(messages.id, after)) : eq(messages.conversationId, conversationId)
  return db.select().from(messages).where(where).orderBy(asc(messages.id)).limit(limit)
}

/** The newest `limit` messages, returned oldest first: what the context builder starts from. */
export async function recentMessages(db: TenantDb, conversationId: string, limit: number, beforeId?: number): Promise<MessageRow[]> {
  const where = beforeId !== undefined ? and(eq(messages.conversationId, conversationId), lt(messages.id, beforeId)) : eq(messages.conversationId, conversationId)
  const rows = await db.select().from(messages).where(where).orderBy(desc(messages.id)).limit(limit)
  return rows.reverse()
}
