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
import { markPlatformConnectFailure } from './errors.ts'
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
/**
 * How long a request waits for a connection (a new one, or a free one of a busy pool) before it fails with 503
 * database-unavailable. Without it node-postgres waits forever on a server that does not answer.
 */
export const CONNECT_TIMEOUT_MS = 5_000
/**
 * A query with no answer for this long fails (and its connection is dropped): a server that stopped answering
 * (frozen, partitioned) would otherwise hold the request and the connection for minutes, until TCP gives up. No
 * API query comes near it; migrations run on their own connection without it.
 */
export const QUERY_TIMEOUT_MS = 30_000
/** /v1/health's round trip gives up after this long: a health check that hangs tells a load balancer nothing. */
export const PING_TIMEOUT_MS = 3_000

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
  /** One round trip, bounded by PING_TIMEOUT_MS. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Connection options both drivers' pools take (Neon's Pool is pg-pool's API). */
const POOL_OPTIONS = { max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS } as const

interface ConnectingPool {
  connect(callback?: (error: Error | undefined, ...rest: unknown[]) => void): unknown
  query(text: string): Promise<unknown>
}

/**
 * Marks every failure of the pool's connect as the platform database's (errors.ts isDatabaseUnavailable): a
 * transaction's connect is not wrapped by Drizzle, so a refused connection there would otherwise look like any
 * other socket error. pg-pool calls connect with a callback itself (pool.query) and callers use its promise.
 */
function markConnectFailures(pool: ConnectingPool): void {
  const connect = pool.connect.bind(pool) as ConnectingPool['connect']
  pool.connect = (callback) => {
    if (callback) return connect((error, ...rest) => callback(error ? markPlatformConnectFailure(error) : error, ...rest))
    return (connect() as Promise<unknown>).catch((error: unknown) => {
      throw markPlatformConnectFailure(error)
    })
  }
}

function boundedPing(pool: ConnectingPool): () => Promise<void> {
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS)
    })
    try {
      await Promise.race([pool.query('SELECT 1'), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
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
    const pool = new NeonPool({ connectionString: url, ...POOL_OPTIONS })
    markConnectFailures(pool as unknown as ConnectingPool)
    // Neon closes idle connections (and suspends the compute after 5 minutes without queries): an idle
    // client's error must not crash the process; the next query opens a new connection.
    pool.on('error', (error: Error) => options.log?.(`platform db pool error: ${error.message}`))
    const db = drizzleNeon({ client: pool, schema }) as unknown as Db
    // On a pool of its own, without the query timeout (see migrateOnOwnConnection).
    const migrator = new NeonPool({ connectionString: url, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
    migrator.on('error', () => {})
    try {
      await migrateNeon(drizzleNeon({ client: migrator, schema }) as never, { migrationsFolder: MIGRATIONS_FOLDER })
    } catch (error) {
      await pool.end()
      throw error
    } finally {
      await migrator.end()
    }
    return {
      db, driver, url, adminUrl: null,
      ping: boundedPing(pool as unknown as ConnectingPool),
      close: () => pool.end(),
    }
  }
  const embedded = driver === 'embedded' ? await startEmbeddedPostgres(options.dataDir, options.log) : null
  const url = embedded ? embedded.url : options.databaseUrl!
  try {
    await migrateOnOwnConnection(url)
  } catch (error) {
    await embedded?.stop()
    throw error
  }
  const pool = new pg.Pool({ connectionString: url, ...POOL_OPTIONS, min: POOL_MIN, keepAlive: true })
  markConnectFailures(pool as unknown as ConnectingPool)
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.log?.(`platform db pool error: ${error.message}`))
  const db = drizzlePg({ client: pool, schema }) as unknown as Db
  return {
    db, driver, url, adminUrl: embedded?.adminUrl ?? null,
    ping: boundedPing(pool as unknown as ConnectingPool),
    close: async () => {
      await pool.end()
      await embedded?.stop()
    },
  }
}

/** Migrations may take long (an index on a big table): they run on a connection of their own, without the query timeout. */
async function migrateOnOwnConnection(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  client.on('error', () => {})
  await client.connect()
  try {
    await migratePg(drizzlePg({ client, schema }) as never, { migrationsFolder: MIGRATIONS_FOLDER })
  } finally {
    await client.end()
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
