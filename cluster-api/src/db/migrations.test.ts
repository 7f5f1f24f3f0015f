// The platform database's migrations over rows as older code left them: a fresh database is migrated up to just
// before the migration under test, the old shape is written in plain SQL, then openDatabase() migrates to the latest.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/support/db.ts'
import { MIGRATIONS_FOLDER, openDatabase } from './connect.ts'
import { newId } from './ids.ts'
import { generateApiKey, verifyApiKey } from './queries/api-keys.ts'

interface Journal { entries: Array<{ tag: string }> }

/** A fresh database with every migration before `tag` applied: a copy of the folder whose journal stops there. */
async function databaseBefore(tag: string): Promise<string> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as Journal
  const at = journal.entries.findIndex((entry) => entry.tag === tag)
  expect(at, `${tag} in the migration journal`).toBeGreaterThan(0)
  const folder = mkdtempSync(join(tmpdir(), 'myintell-migrations-'))
  const url = await createTestDatabase('mig')
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  try {
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true })
    writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }))
    await migrate(drizzle({ client: pool }), { migrationsFolder: folder })
  } finally {
    await pool.end()
    rmSync(folder, { recursive: true, force: true })
  }
  return url
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

const DAY_MS = 86_400_000
const T0 = Date.UTC(2026, 9, 1)
const day = (n: number) => new Date(T0 + n * DAY_MS)

interface OldKey { name: string; tenant: 'ours' | 'theirs'; createdBy: string; createdAt: Date; revokedAt?: Date }

describe('keys minted by keys revoked before revocation cascaded (0001, 0002)', () => {
  it('0002 revokes every active key below a revoked key with its parent\'s revokedAt, and nothing else', async () => {
    const url = await databaseBefore('0002_revoke_keys_minted_by_revoked_keys')
    const tenants = { ours: newId(), theirs: newId() }
    const ids = new Map<string, string>()
    const plaintexts = new Map<string, string>()
    const key = (name: string) => ids.get(name)!
    const by = (name: string) => `key:${key(name)}`
    // As DELETE /v1/api-keys/:id left them before d9233bb: only the key named in the request was revoked.
    const oldKeys: OldKey[] = [
      { name: 'root', tenant: 'ours', createdBy: 'user_ada', createdAt: day(0), revokedAt: day(10) },
      { name: 'child', tenant: 'ours', createdBy: 'root', createdAt: day(1) },
      { name: 'grandchild', tenant: 'ours', createdBy: 'child', createdAt: day(2) },
      // Revoked on its own before the root was: keeps its time, and what it minted takes that time.
      { name: 'revoked child', tenant: 'ours', createdBy: 'root', createdAt: day(1), revokedAt: day(5) },
      { name: 'child of revoked child', tenant: 'ours', createdBy: 'revoked child', createdAt: day(3) },
      // Minted while the root was being revoked (no lock then): revoked no earlier than it was created.
      { name: 'late child', tenant: 'ours', createdBy: 'root', createdAt: day(10.5) },
      { name: 'user key', tenant: 'ours', createdBy: 'user_ada', createdAt: day(1) },
      { name: 'active manager', tenant: 'ours', createdBy: 'user_ada', createdAt: day(1) },
      { name: 'child of active manager', tenant: 'ours', createdBy: 'active manager', createdAt: day(2) },
      // Another tenant's key whose created_by names the root: chains never cross tenants.
      { name: 'look-alike', tenant: 'theirs', createdBy: 'root', createdAt: day(2) },
    ]
    await withClient(url, async (client) => {
      for (const [name, id] of Object.entries(tenants)) {
        await client.query('insert into tenants (id, slug, name) values ($1, $2, $2)', [id, `mig-${name}-${id.slice(-6)}`])
      }
      for (const old of oldKeys) {
        const generated = generateApiKey()
        ids.set(old.name, newId())
        plaintexts.set(old.name, generated.plaintext)
        const createdBy = old.createdBy.startsWith('user_') ? old.createdBy : by(old.createdBy)
        await client.query(
          `insert into api_keys (id, tenant_id, name, prefix, hash, scopes, created_by, created_at, revoked_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [key(old.name), tenants[old.tenant], old.name, generated.prefix, generated.hash, ['agents:read'], createdBy, old.createdAt, old.revokedAt ?? null],
        )
      }
    })

    const database = await openDatabase({ databaseUrl: url, dataDir: '.data' })
    try {
      const revokedAt = await withClient(url, async (client) => {
        const { rows } = await client.query<{ name: string; revoked_at: Date | null }>('select name, revoked_at from api_keys')
        return Object.fromEntries(rows.map((row) => [row.name, row.revoked_at?.toISOString() ?? null]))
      })
      expect(revokedAt).toEqual({
        'root': day(10).toISOString(),
        'child': day(10).toISOString(),
        'grandchild': day(10).toISOString(),
        'revoked child': day(5).toISOString(),
        'child of revoked child': day(5).toISOString(),
        'late child': day(10.5).toISOString(),
        'user key': null,
        'active manager': null,
        'child of active manager': null,
        'look-alike': null,
      })
      expect(await verifyApiKey(database.db, plaintexts.get('grandchild')!)).toBeNull()
      expect(await verifyApiKey(database.db, plaintexts.get('child of active manager')!)).not.toBeNull()
    } finally {
      await database.close()
    }
  })

  it('0001 indexes api_keys by (tenant_id, created_by), so each step down a chain is an index lookup', async () => {
    const database = await openDatabase({ databaseUrl: await createTestDatabase('mig'), dataDir: '.data' })
    try {
      const definition = await withClient(database.url, async (client) => {
        const { rows } = await client.query<{ indexdef: string }>(
          "select indexdef from pg_indexes where tablename = 'api_keys' and indexname = 'api_keys_tenant_id_created_by_idx'",
        )
        return rows[0]?.indexdef
      })
      expect(definition).toContain('USING btree (tenant_id, created_by)')
    } finally {
      await database.close()
    }
  })
})
