// Queries on conversations and messages, one plain function each, `db` first.
// Every query is scoped by agent id (a tenant's database is shared by its agents, their data is not) and by a
// RowScope: a member reaches all of the agent's conversations, a guest only those it started.
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { TenantDb } from './tenant-db.ts'
import { conversations, messages } from './schema.ts'

export type ConversationRow = typeof conversations.$inferSelect
export type MessageRow = typeof messages.$inferSelect
export type NewMessage = Omit<typeof messages.$inferInsert, 'id' | 'createdAt'>

/** Whose conversations a query reaches: all of the agent's, or one owner's only (an owner of null reaches none). */
export type RowScope = { all: true } | { all: false; owner: string | null }

/** Titles are the first words of the first message: enough to recognise a conversation in a list. */
const TITLE_MAX_CHARS = 80

/** The rows of `agentId` that `scope` reaches; null when it reaches none (a guest with no owner). */
function visible(agentId: string, scope: RowScope): SQL | null {
  if (scope.all) return eq(conversations.agentId, agentId)
  if (scope.owner === null) return null
  return and(eq(conversations.agentId, agentId), eq(conversations.principal, scope.owner))!
}

/** `principal`: who starts it (null: nobody the edge could name, so no guest can come back to it). */
export async function createConversation(db: TenantDb, agentId: string, principal: string | null, firstMessage: string): Promise<ConversationRow> {
  const title = firstMessage.replace(/\s+/g, ' ').trim().slice(0, TITLE_MAX_CHARS)
  const [row] = await db.insert(conversations).values({ agentId, principal, title }).returning()
  return row!
}

/** The conversation, if `scope` reaches it; one another caller started is "not found", not "forbidden". */
export async function findConversation(db: TenantDb, agentId: string, scope: RowScope, id: string): Promise<ConversationRow | null> {
  const where = visible(agentId, scope)
  // Not a UUID cannot exist; checking here avoids a database error for ids like "abc".
  if (!where || !isUuid(id)) return null
  const [row] = await db.select().from(conversations).where(and(where, eq(conversations.id, id)))
  return row ?? null
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
}

/** Newest first; the cursor is the `updatedAt|id` of the last row of the previous page. */
export async function listConversations(db: TenantDb, agentId: string, scope: RowScope, limit: number, before?: { updatedAt: Date; id: string }): Promise<ConversationRow[]> {
  const reach = visible(agentId, scope)
  if (!reach) return []
  const where = before
    ? and(reach, sql`(${conversations.updatedAt}, ${conversations.id}) < (${before.updatedAt.toISOString()}::timestamptz, ${before.id}::uuid)`)
    : reach
  return db.select().from(conversations).where(where).orderBy(desc(conversations.updatedAt), desc(conversations.id)).limit(limit)
}

export async function deleteConversation(db: TenantDb, agentId: string, scope: RowScope, id: string): Promise<boolean> {
  const where = visible(agentId, scope)
  if (!where || !isUuid(id)) return false
  const rows = await db.delete(conversations).where(and(where, eq(conversations.id, id))).returning({ id: conversations.id })
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
