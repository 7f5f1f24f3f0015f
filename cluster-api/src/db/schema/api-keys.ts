// API keys: `mi_<prefix>_<secret>`; only the prefix and a SHA-256 hash of the whole key are stored.

import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenants } from './tenants.ts'

export const API_KEY_SCOPES = ['agents:read', 'agents:write', 'api-keys:write', 'usage:read', 'chat'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  /** Shown in listings so a user can tell keys apart; not secret. */
  prefix: text('prefix').notNull().unique(),
  /** Hex SHA-256 of the full plaintext key. A 32-byte random secret needs no slow hash. */
  hash: text('hash').notNull().unique(),
  scopes: text('scopes').array().$type<ApiKeyScope[]>().notNull(),
  /** The user id, or `key:<id>` for a key minted by another key (revoking that key revokes this one). */
  createdBy: text('created_by'),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('api_keys_tenant_id_idx').on(t.tenantId),
  // Revocation walks a tenant's key chain one created_by = 'key:<id>' step at a time: each step an index lookup.
  index('api_keys_tenant_id_created_by_idx').on(t.tenantId, t.createdBy),
])

export type ApiKey = typeof apiKeys.$inferSelect
