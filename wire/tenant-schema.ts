// The tenant database's schema version: the runtime's migrations (agent/drizzle) as the cluster-api applies them when it
// provisions a tenant database, and the one cheap query with which a runtime checks them before it reports ready.
// Node only (pg, node:fs): the edge's type-check leaves this file out.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'

/** Where drizzle records the applied migrations in a tenant database (the names older installs used too). */
export const TENANT_MIGRATIONS_SCHEMA = 'myintell_agent'
export const TENANT_MIGRATIONS_TABLE = 'agent_migrations'
// Arbitrary but fixed: whoever migrates a tenant database (the cluster-api, or a runtime as the fallback) takes this lock.
const MIGRATION_LOCK_KEY = 7_301_005
const CONNECT_TIMEOUT_MS = 5_000
/** A tenant database whose migrations table is missing: nobody has migrated it yet. */
const UNDEFINED_TABLE = '42P01'
const INVALID_SCHEMA = '3F000'

/**
 * agent/drizzle seen from the sources (wire/ sits next to agent/): what the cluster-api applies. The runtime's bundle
 * finds its own copy (agent/src/db/tenant-db.ts findMigrationsFolder), since this path means nothing inside it.
 */
export function sourceMigrationsFolder(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'agent', 'drizzle')
}

/**
 * The newest migration's timestamp in `migrationsFolder`'s journal: drizzle stores it as `created_at` of the row it
 * adds for that migration, so a database whose newest row carries it (or a later one) needs nothing applied.
 */
export function tenantSchemaVersion(migrationsFolder: string): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries?: Array<{ when?: unknown }> }
  const newest = journal.entries?.at(-1)?.when
  if (typeof newest !== 'number') throw new Error(`no migrations in ${migrationsFolder}`)
  return newest
}

/** One round trip, no locks, no writes: the newest applied migration's timestamp. */
export const APPLIED_VERSION_QUERY = `SELECT max(created_at)::text AS applied FROM "${TENANT_MIGRATIONS_SCHEMA}"."${TENANT_MIGRATIONS_TABLE}"`

/** The applied version on a connected client; 0 for a database nobody has migrated. Other errors are thrown. */
export async function appliedTenantSchemaVersion(client: pg.ClientBase): Promise<number> {
  try {
    const result = await client.query<{ applied: string | null }>(APPLIED_VERSION_QUERY)
    return Number(result.rows[0]?.applied ?? 0)
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return 0
    throw err
  }
}

/** Applies `migrationsFolder`'s migrations to the database at `url`; safe to call concurrently (advisory lock). */
export async function migrateTenantSchema(url: string, migrationsFolder: string): Promise<void> {
  await withClient(url, (client) => migrateLocked(client, migrationsFolder))
}

/**
 * What provisioning does: one query when the database is current (a tenant provisioned before), the migrations under
 * the lock when it is behind. Answers the version found before, 0 for a new database.
 */
export async function ensureTenantSchema(url: string, migrationsFolder: string): Promise<number> {
  const wanted = tenantSchemaVersion(migrationsFolder)
  return withClient(url, async (client) => {
    const applied = await appliedTenantSchemaVersion(client)
    if (applied < wanted) await migrateLocked(client, migrationsFolder)
    return applied
  })
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  client.on('error', () => {})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

async function migrateLocked(client: pg.Client, migrationsFolder: string): Promise<void> {
  // Several runtimes of one tenant, and the cluster-api, may migrate one database at once: one at a time.
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
  try {
    await migrate(drizzle(client), {
      migrationsFolder,
      migrationsTable: TENANT_MIGRATIONS_TABLE,
      migrationsSchema: TENANT_MIGRATIONS_SCHEMA,
    })
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
  }
}
