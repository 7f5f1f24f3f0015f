// Purges owed to tenant databases: a deleted agent's conversations, messages and memories live in its tenant's
// own database (the runtime's schema), which may be unreachable when the agent is deleted. The debt is written in
// the same transaction as the delete, so it cannot be lost, and is paid by the purger (tenant-db/agent-data-purger.ts).

import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenants } from './tenants.ts'

export const agentDataPurges = pgTable('agent_data_purges', {
  // No foreign key to agents: the agent row is gone by the time this row matters.
  agentId: uuid('agent_id').primaryKey(),
  // A deleted tenant takes its whole database with it, and with it every purge it owed.
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  /** When a purger may next take it (a taker pushes this forward first, so two purgers rarely do the same work). */
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  /** Sweeps still owed: the last one runs after every writer of the agent (its runtime, the edge's caches) is gone. */
  sweepsLeft: integer('sweeps_left').notNull().default(2),
  failures: integer('failures').notNull().default(0),
  /** Why the last attempt failed, for operators (the driver's message; never a URL). */
  lastError: text('last_error'),
}, (t) => [index('agent_data_purges_next_attempt_at_idx').on(t.nextAttemptAt)])

