// Stored OpenAI Responses (POST /v1/responses with store): each row is one response of a chain, kept in a conversation.
// The row holds the turn as the model saw it (input and output messages, tool calls included) so a chain continued
// with previous_response_id replays exactly what came before, and the response object GET /v1/responses/:id returns.
import type { ModelMessage } from 'ai'
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { conversations } from './schema.ts'

export const responses = pgTable('responses', {
  /** `resp_…`, the id the client holds. */
  id: text('id').primaryKey(),
  agentId: text('agent_id').notNull(),
  /** Copied from the conversation: who may retrieve, continue and delete it (http/caller.ts). */
  principal: text('principal'),
  /** Deleting the conversation deletes its responses: a chain cannot outlive the history it continues. */
  conversationId: uuid('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
  previousResponseId: text('previous_response_id'),
  /** This turn's messages for the model: the client's input items after the chain so far, then the reply. */
  turn: jsonb('turn').$type<ModelMessage[]>().notNull(),
  /** The response object as the client received it. */
  body: jsonb('body').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [index('responses_agent_principal_idx').on(t.agentId, t.principal)])
