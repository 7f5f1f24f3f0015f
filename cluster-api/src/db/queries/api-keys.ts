// API key queries and the key format: `mi_<prefix>_<secret>`, a 32-byte random secret, stored only as
// the SHA-256 of the whole key plus the prefix (so listings can show which key is which). Revoking a key
// revokes every key it minted, transitively.

import { createHash, randomBytes } from 'node:crypto'
import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import { isId, newId } from '../ids.ts'
import { preparedPerDb } from '../prepared.ts'
import { apiKeys, type ApiKey, type ApiKeyScope } from '../schema/index.ts'
import type { Db } from '../types.ts'

export const API_KEY_PATTERN = /^mi_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/
/** last_used_at is refreshed at most this often per key: a write per request would cost more than the lookup. */
export const LAST_USED_RESOLUTION_MS = 60_000
/** `created_by` of a key minted by another key is this prefix and the minting key's id; a user's key holds the user id. */
const MINTED_BY_KEY = 'key:'
/**
 * First half of the transaction-scoped advisory lock that orders minting against revocation in a tenant (the second
 * half is the tenant id's hash). Any int4 that no other two-key advisory lock in the platform database uses.
 */
const KEY_CHAIN_LOCK_NAMESPACE = 0x6d69_6b63 // 'mikc': myintell key chain

export const mintedByKey = (keyId: string): string => `${MINTED_BY_KEY}${keyId}`

export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex')
}

export function generateApiKey(): { plaintext: string; prefix: string; hash: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12)
  const secret = randomBytes(32).toString('base64url')
  const plaintext = `mi_${prefix}_${secret}`
  return { plaintext, prefix, hash: hashApiKey(plaintext) }
}

export async function createApiKey(
  db: Db, tenantId: string, input: { name: string; scopes: ApiKeyScope[]; createdBy: string | null },
): Promise<{ key: ApiKey; plaintext: string }> {
  const generated = generateApiKey()
  const [key] = await db.insert(apiKeys).values({
    id: newId(), tenantId, name: input.name, scopes: input.scopes, createdBy: input.createdBy,
    prefix: generated.prefix, hash: generated.hash,
  }).returning()
  return { key: key!, plaintext: generated.plaintext }
}

export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKey[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(asc(apiKeys.id))
}

/**
 * A key minted by another key of the tenant, or null if the minting key is revoked by now. The request authenticated
 * with it a moment ago, but a revocation may have committed since: the check runs again under the tenant's key-chain
 * lock, so a concurrent revocation either sees the new key and revokes it too, or commits first and this mint fails.
 */
export async function createMintedApiKey(
  db: Db, tenantId: string, mintingKeyId: string, input: { name: string; scopes: ApiKeyScope[] },
): Promise<{ key: ApiKey; plaintext: string } | null> {
  return db.transaction(async (tx) => {
    await lockKeyChains(tx as unknown as Db, tenantId, 'mint')
    const [minter] = await tx.select({ id: apiKeys.id }).from(apiKeys)
      .where(and(eq(apiKeys.id, mintingKeyId), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
    if (!minter) return null
    return createApiKey(tx as unknown as Db, tenantId, { ...input, createdBy: mintedByKey(mintingKeyId) })
  }, { isolationLevel: 'read committed' })
}

export interface RevokedApiKey {
  key: ApiKey
  /** Keys minted by this one (directly or down the chain) that this call revoked; 0 when none were still active. */
  mintedKeysRevoked: number
}

/**
 * Revokes the key and every key it minted, and every key those minted, …, in one statement, so they share one
 * revokedAt. Idempotent: an already revoked key keeps its first revokedAt. A repeat still revokes a descendant that
 * is active (one minted before revocation cascaded), so the chain is followed through revoked keys too.
 */
export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<RevokedApiKey | null> {
  if (!isId(id)) return null
  return db.transaction(async (tx) => {
    // Waits for mints in flight in this tenant; the UPDATE's snapshot (read committed) is taken after, so it sees their keys.
    await lockKeyChains(tx as unknown as Db, tenantId, 'revoke')
    const chain = sql`(
      with recursive chain(id) as (
        select id from ${apiKeys} where id = ${id} and tenant_id = ${tenantId}
        union
        select minted.id from ${apiKeys} minted join chain on minted.created_by = ${MINTED_BY_KEY} || chain.id::text
        where minted.tenant_id = ${tenantId}
      )
      select id from chain
    )`
    const revoked = await tx.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(and(
        eq(apiKeys.tenantId, tenantId),
        inArray(apiKeys.id, chain),
        // The key itself is always returned (for the response); a descendant only when this call revokes it.
        or(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)),
      ))
      .returning()
    const key = revoked.find((row) => row.id === id)
    return key ? { key, mintedKeysRevoked: revoked.length - 1 } : null
  }, { isolationLevel: 'read committed' })
}

/**
 * Orders minting against revocation in one tenant: mints hold the lock shared (they do not wait for each other), a
 * revocation holds it exclusively. Released at commit. Revocation is rare, so a mint seldom waits.
 */
async function lockKeyChains(tx: Db, tenantId: string, holder: 'mint' | 'revoke'): Promise<void> {
  const lock = holder === 'mint' ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`
  await tx.execute(sql`select ${lock}(${KEY_CHAIN_LOCK_NAMESPACE}::int, hashtext(${tenantId}))`)
}

const keyByHash = preparedPerDb((db) => db.select().from(apiKeys).where(eq(apiKeys.hash, sql.placeholder('hash'))).prepare('find_api_key_by_hash'))

/** The active key for a plaintext, or null (unknown, malformed or revoked). Touches last_used_at cheaply. */
export async function verifyApiKey(db: Db, plaintext: string): Promise<ApiKey | null> {
  if (!API_KEY_PATTERN.test(plaintext)) return null
  const [key] = await keyByHash(db).execute({ hash: hashApiKey(plaintext) })
  if (!key || key.revokedAt) return null
  const now = Date.now()
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Conditional update: concurrent requests with the same key write once, not once each.
    await db.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(and(
      eq(apiKeys.id, key.id),
      or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - LAST_USED_RESOLUTION_MS))),
    ))
  }
  return key
}
