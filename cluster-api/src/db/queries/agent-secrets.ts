// Agent secret rows. Callers check the agent belongs to the caller's tenant first (findAgent): these take an agent
// id the platform already trusts. Values come and go sealed (secrets/key-ring.ts); nothing here sees a plaintext.

import { and, asc, eq, ne, sql } from 'drizzle-orm'
import type { SealedSecret } from '../../secrets/key-ring.ts'
import { agentSecrets, type AgentSecretRow } from '../schema/index.ts'
import type { Db } from '../types.ts'

/** Inserts or replaces (keeping createdAt); `created` tells which (PostgreSQL's xmax is 0 on a freshly inserted row). */
export async function putAgentSecret(db: Db, agentId: string, name: string, sealed: SealedSecret): Promise<{ created: boolean; createdAt: Date; updatedAt: Date }> {
  const now = new Date()
  const [row] = await db.insert(agentSecrets).values({ agentId, name, ...sealed, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [agentSecrets.agentId, agentSecrets.name], set: { ...sealed, updatedAt: now } })
    .returning({ created: sql<boolean>`(xmax = 0)`, createdAt: agentSecrets.createdAt, updatedAt: agentSecrets.updatedAt })
  return row!
}

/** Names and times only: the listing never carries a value, sealed or not. */
export async function listAgentSecretNames(db: Db, agentId: string): Promise<Array<{ name: string; createdAt: Date; updatedAt: Date }>> {
  return db.select({ name: agentSecrets.name, createdAt: agentSecrets.createdAt, updatedAt: agentSecrets.updatedAt })
    .from(agentSecrets).where(eq(agentSecrets.agentId, agentId)).orderBy(asc(agentSecrets.name))
}

export async function deleteAgentSecret(db: Db, agentId: string, name: string): Promise<boolean> {
  const deleted = await db.delete(agentSecrets).where(and(eq(agentSecrets.agentId, agentId), eq(agentSecrets.name, name)))
    .returning({ name: agentSecrets.name })
  return deleted.length > 0
}

/** The sealed rows of one agent, for its RuntimeConfig. */
export async function listSealedAgentSecrets(db: Db, agentId: string): Promise<AgentSecretRow[]> {
  return db.select().from(agentSecrets).where(eq(agentSecrets.agentId, agentId))
}

/** Rows sealed by any key but `keyId`: what a rotation still has to move. */
export async function listAgentSecretsNotUnder(db: Db, keyId: string): Promise<AgentSecretRow[]> {
  return db.select().from(agentSecrets).where(ne(agentSecrets.keyId, keyId))
}

/** Re-seals one row, only if it is still the value that was read (a PUT in between wins). */
export async function resealAgentSecret(db: Db, row: AgentSecretRow, sealed: SealedSecret): Promise<boolean> {
  const moved = await db.update(agentSecrets).set(sealed)
    .where(and(eq(agentSecrets.agentId, row.agentId), eq(agentSecrets.name, row.name), eq(agentSecrets.ciphertext, row.ciphertext)))
    .returning({ name: agentSecrets.name })
  return moved.length > 0
}
