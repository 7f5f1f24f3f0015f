// Tenant database schema: what every superfriend of a tenant keeps (conversations, messages, memories).
// One database per tenant; rows carry agent_id so a tenant's agents never see each other's data, and the principal
// they belong to so a public agent's callers never see each other's (http/caller.ts says who sees what).
import { sql } from 'drizzle-orm'
import { bigserial, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/** PostgreSQL's full-text document type; drizzle has no built-in for it. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

export const conversations = pgTable('conversations', {
  id: uuid('id').primaryKey().defaultRandom(),
  agentId: text('agent_id').notNull(),
  /**
   * The principal that started it (`user:…`, `key:…`, `anon:<session>`), who may come back to it as a guest; null
   * when the edge named none, and for conversations from before callers were told apart: the tenant's alone.
   */
  principal: text('principal'),
  title: text('title').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [
  index('conversations_agent_updated_idx').on(t.agentId, t.updatedAt),
  index('conversations_agent_principal_updated_idx').on(t.agentId, t.principal, t.updatedAt),
])

/** A tool call the model made, or its result, as stored in a `tool-call` / `tool-result` message (wire/chat-events.ts). */
export type StoredToolEvent =
  | { id: string; name: string; args: unknown }
  | { id: string; name: string; result: unknown; isError: boolean }

/**
 * role: user | assistant | tool-call | tool-result (the last two carry `tool`, and no content). status: complete, or
 * error when the provider failed mid-reply (the partial text is kept).
 */
export const messages = pgTable('messages', {
  // A serial id orders messages and doubles as the pagination cursor.
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  conversationId: uuid('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  role: text('role').notNull(),
  content: text('content').notNull(),
  status: text('status').notNull().default('complete'),
  errorCode: text('error_code'),
  tokensIn: integer('tokens_in').notNull().default(0),
  tokensOut: integer('tokens_out').notNull().default(0),
  tool: jsonb('tool').$type<StoredToolEvent>(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [index('messages_conversation_idx').on(t.conversationId, t.id)])

/** Long-term facts the superfriend keeps across conversations. */
export const memories = pgTable('memories', {
  id: uuid('id').primaryKey().defaultRandom(),
  agentId: text('agent_id').notNull(),
  /** Null: agent-wide, recalled for every caller (kept by the tenant's members). Else one guest's own, recalled for it alone. */
  principal: text('principal'),
  content: text('content').notNull(),
  /** user (asked in chat or added by a member), agent (the model's memory tool). */
  source: text('source').notNull(),
  /** Recalled into every prompt, whatever the turn is about. */
  pinned: boolean('pinned').notNull().default(false),
  /** The content as a full-text document ('simple': no language's stemming, so every language is matched alike). */
  search: tsvector('search').generatedAlwaysAs(sql`to_tsvector('simple', content)`),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [
  index('memories_agent_idx').on(t.agentId, t.createdAt),
  index('memories_agent_principal_idx').on(t.agentId, t.principal, t.createdAt),
  index('memories_search_idx').using('gin', t.search),
])

// OpenAI Responses kept for previous_response_id: their own table, in their own file.
export * from './responses-schema.ts'
