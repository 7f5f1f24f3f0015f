// Usage: one row per tenant, agent and hour, summed from the edge's ingest batches.
// ingest_batches remembers every batch id so a retried flush is counted once.

import { bigint, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenants } from './tenants.ts'

const counter = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0)

export const usageRecords = pgTable('usage_records', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  // No foreign key: usage outlives a deleted agent (it was billed while it existed).
  agentId: uuid('agent_id').notNull(),
  bucketStart: timestamp('bucket_start', { withTimezone: true }).notNull(),
  requests: counter('requests'),
  bytesIn: counter('bytes_in'),
  bytesOut: counter('bytes_out'),
  wakes: counter('wakes'),
  coldStartMs: counter('cold_start_ms'),
  tokensIn: counter('tokens_in'),
  tokensOut: counter('tokens_out'),
  activeSeconds: counter('active_seconds'),
  /** Tool calls the agent's model made (runtime reports only: built-in, MCP, delegates). */
  toolCalls: counter('tool_calls'),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.agentId, t.bucketStart] }),
  index('usage_records_tenant_bucket_idx').on(t.tenantId, t.bucketStart),
])

export const ingestBatches = pgTable('ingest_batches', {
  batchId: text('batch_id').primaryKey(),
  items: bigint('items', { mode: 'number' }).notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
})

