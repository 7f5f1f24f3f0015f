// The tenant database connection: a small pg pool plus drizzle, migrated before the runtime reports ready.
// Several runtimes of one tenant share the database, so migrations run under an advisory lock.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
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
// Arbitrary but fixed: every runtime of every tenant takes the same lock key in its own database.
const MIGRATION_LOCK_KEY = 7_301_005
// One agent serves a handful of concurrent chats; a small pool keeps idle memory and server slots low.
const POOL_MAX_CONNECTIONS = 4
const POOL_IDLE_TIMEOUT_MS = 30_000
const CONNECT_TIMEOUT_MS = 5_000

/** `migrationsFolder`: from findMigrationsFolder(). */
export async function openTenantDatabase(url: string, migrationsFolder: string): Promise<TenantDatabase> {
  await migrateTenantDatabase(url, migrationsFolder)
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX_CONNECTIONS,
    idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  return { db: drizzle(pool, { schema }), close: () => pool.end() }
}

/** Applies agent/drizzle/ migrations; safe to call concurrently from several runtimes. */
export async function migrateTenantDatabase(url: string, migrationsFolder: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  client.on('error', () => {})
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    await migrate(drizzle(client), {
      migrationsFolder,
      migrationsTable: 'agent_migrations',
      migrationsSchema: 'myintell_agent',
    })
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
    await client.end()
  }
}
