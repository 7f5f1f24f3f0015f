// Agent secrets: write-only values an agent's runtime receives (model keys and base URLs, MCP headers, channel
// tokens), sealed with AES-256-GCM (secrets/key-ring.ts). No column holds a plaintext value.

import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { agents } from './agents.ts'

export const agentSecrets = pgTable('agent_secrets', {
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  /** SECRET_NAME (wire/agent-tools.ts); also bound into the ciphertext as additional data. */
  name: text('name').notNull(),
  /** The key that sealed the value: rows under an old key are re-encrypted at start-up after a rotation. */
  keyId: text('key_id').notNull(),
  /** base64 of the 96-bit GCM nonce. */
  nonce: text('nonce').notNull(),
  /** base64 of the ciphertext and its GCM tag. */
  ciphertext: text('ciphertext').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.agentId, t.name] }),
  // The start-up re-encryption finds the rows of a retired key without reading the others.
  index('agent_secrets_key_id_idx').on(t.keyId),
])

export type AgentSecretRow = typeof agentSecrets.$inferSelect
