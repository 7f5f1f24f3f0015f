// User queries: users appear on first sign-in (JWT subject) or through Clerk's user.created webhook.

import { eq, sql } from 'drizzle-orm'
import { users, type User } from '../schema/index.ts'
import type { Db } from '../types.ts'

/** Inserts the user or refreshes its email; cheap enough to run on every authenticated request batch. */
export async function upsertUser(db: Db, id: string, email: string | null): Promise<void> {
  await db.insert(users).values({ id, email }).onConflictDoUpdate({
    target: users.id,
    set: { email: sql`coalesce(excluded.email, ${users.email})` },
  })
}

export async function findUserById(db: Db, id: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id))
  return user ?? null
}

/** Deletes the user; memberships go with it (ON DELETE CASCADE). */
export async function deleteUser(db: Db, id: string): Promise<boolean> {
  const deleted = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id })
  return deleted.length > 0
}
