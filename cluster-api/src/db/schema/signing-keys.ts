// The local issuer's ES256 key pair (dev sign-in). Unused when Clerk (or another issuer) is configured.

import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  /** Private JWK. Local development only; production verifies Clerk's tokens and mints none. */
  privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})
