// API key queries and the key format: `mi_<prefix>_<secret>`, a 32-byte random secret, stored only as
// the SHA-256 of the whole key plus the prefix (so listings can show which key is which).

import { createHash, randomBytes } from 'node:crypto'
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import { isId, newId } from '../ids.ts'
import { preparedPerDb } from '../prepared.ts'
import { apiKeys, type ApiKey, type ApiKeyScope } from '../schema/index.ts'
import type { Db } from '../types.ts'

export const API_KEY_PATTERN = /^mi_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/
/** last_used_at is refreshed at most this often per key: a write per request would cost more than the lookup. */
export const LAST_USED_RESOLUTION_MS = 60_000

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

export async function findApiKey(db: Db, tenantId: string, id: string): Promise<ApiKey | null> {
  if (!isId(id)) return null
  const [key] = await db.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId)))
  return key ?? null
}

/** Revokes the key (idempotent: revoking twice keeps the first time). */
export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<ApiKey | null> {
  if (!isId(id)) return null
  const [key] = await db.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId))).returning()
  return key ?? null
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
