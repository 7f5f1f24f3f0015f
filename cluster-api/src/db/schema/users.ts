// Users and their memberships: which identity (Clerk user or local dev user) may act for which tenant.

import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenants } from './tenants.ts'

export const users = pgTable('users', {
  /** The JWT subject: a Clerk user id (`user_…`) or a local dev user (`dev_…`). */
  id: text('id').primaryKey(),
  email: text('email'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

export const MEMBERSHIP_ROLES = ['owner', 'admin', 'member'] as const
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number]

export const memberships = pgTable('memberships', {
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  role: text('role').$type<MembershipRole>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.userId] }),
  // "tenants of this user" is the hot lookup (every JWT request, the edge's user→tenants call).
  index('memberships_user_id_idx').on(t.userId),
])

export type User = typeof users.$inferSelect
export type Membership = typeof memberships.$inferSelect
