// Opens the platform database chosen by DATABASE_URL: unset → embedded PostgreSQL, `postgres://` →
// node-postgres, a Neon host (or MYINTELL_DB_DRIVER=neon) → @neondatabase/serverless over WebSocket.

import { neonConfig, Pool as NeonPool } from '@neondatabase/serverless'
import { drizzle as drizzleNeon } from 'drizzle-orm/neon-serverless'
import { migrate as migrateNeon } from 'drizzle-orm/neon-serverless/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import ws from 'ws'
import * as schema from './schema/index.ts'
import { startEmbeddedPostgres } from './embedded.ts'
import type { Db } from './types.ts'

export type DbDriver = 'embedded' | 'postgres' | 'neon'

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))
/** Connections per process; the API is I/O-bound on short queries. */
const POOL_SIZE = 10
/**
 * Connections kept open through quiet spells (node-postgres closes the rest after 10 s idle). Route
 * lookups arrive sporadically (the edge caches routes), and a fresh connection costs a TCP and SCRAM
 * handshake and re-preparing the hot statements: several milliseconds on the first request after a lull.
 */
const POOL_MIN = 1

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined
  dataDir: string
  /** Forces the Neon driver for a URL whose host is not *.neon.tech (MYINTELL_DB_DRIVER=neon). */
  driver?: 'postgres' | 'neon' | undefined
  /**
   * Plain-WebSocket proxy for the Neon driver (`127.0.0.1:5488/v1`), as Neon's local-development guide
   * describes; unset in production, where Neon's own endpoint is reached over wss.
   */
  neonWsProxy?: string | undefined
  log?: (line: string) => void
}

export interface PlatformDatabase {
  db: Db
  driver: DbDriver
  /** The URL the platform database was opened with (contains a password: never log). */
  url: string
  /** Server admin URL when we run the server ourselves (embedded); tenant databases are created there. */
  adminUrl: string | null
  ping(): Promise<void>
  close(): Promise<void>
}

export function chooseDriver(databaseUrl: string | undefined, forced?: 'postgres' | 'neon'): DbDriver {
  if (!databaseUrl) return 'embedded'
  if (forced) return forced
  const host = new URL(databaseUrl).hostname
  return host === 'neon.tech' || host.endsWith('.neon.tech') ? 'neon' : 'postgres'
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<PlatformDatabase> {
  const driver = chooseDriver(options.databaseUrl, options.driver)
  if (driver === 'neon') {
    const url = options.databaseUrl!
    configureNeon(options.neonWsProxy)
    const pool = new NeonPool({ connectionString: url, max: POOL_SIZE })
    // Neon closes idle connections (and suspends the compute after 5 minutes without queries): an idle
    // client's error must not crash the process; the next query opens a new connection.
    pool.on('error', (error: Error) => options.log?.(`platform db pool error: ${error.message}`))
    const db = drizzleNeon({ client: pool, schema }) as unknown as Db
    await migrateNeon(db as never, { migrationsFolder: MIGRATIONS_FOLDER })
    return {
      db, driver, url, adminUrl: null,
      ping: async () => { await pool.query('SELECT 1') },
      close: () => pool.end(),
    }
  }
  const embedded = driver === 'embedded' ? await startEmbeddedPostgres(options.dataDir, options.log) : null
  const url = embedded ? embedded.url : options.databaseUrl!
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, min: POOL_MIN })
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.log?.(`platform db pool error: ${error.message}`))
  const db = drizzlePg({ client: pool, schema }) as unknown as Db
  try {
    await migratePg(db as never, { migrationsFolder: MIGRATIONS_FOLDER })
  } catch (error) {
    await pool.end()
    await embedded?.stop()
    throw error
  }
  return {
    db, driver, url, adminUrl: embedded?.adminUrl ?? null,
    ping: async () => { await pool.query('SELECT 1') },
    close: async () => {
      await pool.end()
      await embedded?.stop()
    },
  }
}

function configureNeon(wsProxy: string | undefined): void {
  // Node 22 has a global WebSocket, but `ws` is the tested constructor and supports every option Neon uses.
  neonConfig.webSocketConstructor = ws
  if (!wsProxy) return
  const proxy = wsProxy.replace(/^wss?:\/\//, '')
  neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`
  // A local proxy speaks plain ws and forwards a plain TCP Postgres connection: no TLS, and no
  // pipelined startup (with it on, SASL auth against a stock PostgreSQL fails).
  neonConfig.useSecureWebSocket = false
  neonConfig.pipelineTLS = false
  neonConfig.pipelineConnect = false
}
