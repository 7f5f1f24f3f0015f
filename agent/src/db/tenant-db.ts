// The tenant database connection: a small pg pool plus drizzle, connected and checked before the runtime reports ready.
// The cluster-api migrates a tenant database when it provisions it; a runtime only checks the version (and migrates as a fallback).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { appliedTenantSchemaVersion, migrateTenantSchema } from '../../../wire/tenant-schema.ts'
import { findConversation, recentMessages } from './conversation-queries.ts'
import { recallMemories } from './memory-queries.ts'
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
/**
 * Connections opened before the runtime reports ready: a first turn sends its writes and reads in parallel (turn.ts),
 * so two open connections keep the second from paying a connect (TCP, SCRAM, a server backend) on the first turn.
 */
const WARM_CONNECTIONS = 2
/** A well-formed id no row has: the first turn's reads run once on each warm connection and find nothing. */
const NO_SUCH_ID = '00000000-0000-0000-0000-000000000000'

export interface OpenOptions {
  /** tenantSchemaVersion() of the runtime's migrations folder, read once at start-up. */
  schemaVersion: number
  /** The fallback for a database nobody migrated to this version (an older install, an older cluster-api). */
  migrationsFolder: string
  /** Told when the fallback ran: the platform was expected to migrate at provisioning. */
  onMigrated?(from: number): void
}

/**
 * Opens the pool and makes it ready for a first turn before the runtime reports ready: WARM_CONNECTIONS connections
 * open, the schema version checked with one query (the cluster-api migrated the database when it provisioned it),
 * and the first turn's reads run once on each connection, so the server has the tables' catalog entries cached and
 * this process has compiled the query code. A database behind this runtime's migrations is migrated here instead.
 * Throws (after closing the pool) when the database cannot be reached or the check fails; the caller retries.
 */
export async function openTenantDatabase(url: string, options: OpenOptions): Promise<TenantDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX_CONNECTIONS,
    idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const db = drizzle(pool, { schema })
  // Opened together: the connects overlap, and the version check goes out on the first one as soon as it is open.
  const connecting = Array.from({ length: WARM_CONNECTIONS }, () => pool.connect())
  for (const pending of connecting) pending.catch(() => {})
  try {
    const applied = await appliedTenantSchemaVersion(await connecting[0]!)
    if (applied < options.schemaVersion) {
      await migrateTenantSchema(url, options.migrationsFolder)
      options.onMigrated?.(applied)
    }
    const clients = await Promise.all(connecting)
    await Promise.all(clients.map((client) => warmFirstTurn(drizzle(client, { schema }))))
  } catch (err) {
    // Every connect has settled before the pool ends, so none is left open behind it.
    for (const result of await Promise.allSettled(connecting)) if (result.status === 'fulfilled') result.value.release(true)
    await pool.end().catch(() => {})
    throw err
  }
  for (const client of await Promise.all(connecting)) client.release()
  return { db, close: () => pool.end() }
}

/** The reads of a first turn (turn.ts), on one connection, for an agent and a conversation that do not exist. */
async function warmFirstTurn(db: TenantDb): Promise<void> {
  await recallMemories(db, NO_SUCH_ID, null, 1)
  await recentMessages(db, NO_SUCH_ID, 1)
  await findConversation(db, NO_SUCH_ID, { all: true }, NO_SUCH_ID)
}

/** Applies agent/drizzle/ migrations; safe to call concurrently from several runtimes. */
export function migrateTenantDatabase(url: string, migrationsFolder: string): Promise<void> {
  return migrateTenantSchema(url, migrationsFolder)
}
