// The tenant database connection: a small pg pool plus drizzle, connected and checked before the runtime reports ready.
// The cluster-api migrates a tenant database when it provisions it; a runtime only checks the version (and migrates as a fallback).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { appliedTenantSchemaVersion, migrateTenantSchema, tenantSchemaVersion } from '../../../wire/tenant-schema.ts'
import * as schema from './schema.ts'

export type TenantDb = NodePgDatabase<typeof schema>

export interface TenantDatabase {
  db: TenantDb
  close(): Promise<void>
}

/** The runtime was packaged without its migrations (a broken image): no retry can fix that, so start-up stops. */
export class MigrationsNotFoundError extends Error {
  override readonly name = 'MigrationsNotFoundError'
}

/**
 * agent/drizzle, found from wherever this code runs: the sources (agent/src/db) or the bundle (agent/dist), both of
 * which sit under agent/. The nearest folder up the tree that holds a `drizzle/meta/_journal.json` is the one.
 * Called once at start-up (startRuntime), before the runtime listens.
 */
export function findMigrationsFolder(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from)
  for (;;) {
    const candidate = join(dir, 'drizzle')
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new MigrationsNotFoundError(`agent migrations (drizzle/meta/_journal.json) not found in any folder above ${from}`)
    dir = parent
  }
}
// One agent serves a handful of concurrent chats; a small pool keeps idle memory and server slots low.
const POOL_MAX_CONNECTIONS = 4
const POOL_IDLE_TIMEOUT_MS = 30_000
const CONNECT_TIMEOUT_MS = 5_000
export interface OpenOptions {
  /** tenantSchemaVersion() of the runtime's migrations folder, read once at start-up. */
  schemaVersion: number
  /** The fallback for a database nobody migrated to this version (an older install, an older cluster-api). */
  migrationsFolder: string
  /** Told when the fallback ran: the platform was expected to migrate at provisioning. */
  onMigrated?(from: number): void
}

/**
 * Opens the pool with one connection open and the schema version checked on it with one query (the cluster-api
 * migrated the database when it provisioned it), so the first turn's first query finds an open connection. A database
 * behind this runtime's migrations is migrated here instead. Throws (after closing the pool) when the database cannot
 * be reached or the check fails; the caller retries. No more is done here: on a small machine every query before
 * ready is paid by the wake, and the first turn's queries are compiled while the runtime idles in the pool (warm-up.ts).
 */
export async function openTenantDatabase(url: string, optionsOrFolder: OpenOptions | string): Promise<TenantDatabase> {
  // A folder alone (tests, tools): its newest migration is the version wanted.
  const options = typeof optionsOrFolder === 'string'
    ? { schemaVersion: tenantSchemaVersion(optionsOrFolder), migrationsFolder: optionsOrFolder }
    : optionsOrFolder
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX_CONNECTIONS,
    idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  let client: pg.PoolClient | null = null
  try {
    client = await pool.connect()
    const applied = await appliedTenantSchemaVersion(client)
    if (applied < options.schemaVersion) {
      await migrateTenantSchema(url, options.migrationsFolder)
      options.onMigrated?.(applied)
    }
  } catch (err) {
    client?.release(true)
    await pool.end().catch(() => {})
    throw err
  }
  // Back into the pool, still open.
  client.release()
  return { db: drizzle(pool, { schema }), close: () => pool.end() }
}

/** Applies agent/drizzle/ migrations; safe to call concurrently from several runtimes. */
export function migrateTenantDatabase(url: string, migrationsFolder: string): Promise<void> {
  return migrateTenantSchema(url, migrationsFolder)
}
