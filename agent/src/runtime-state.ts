// The runtime's lifecycle state: which agent it serves, whether its tenant database is ready, draining, in-flight work.
// Readiness = assigned + tenant database open, checked and warm + not draining; /readyz and the assign answer say exactly that.
import type { RuntimeConfig } from '../../wire/runtime.ts'
import { openTenantDatabase } from './db/tenant-db.ts'
import type { TenantDatabase, TenantDb } from './db/tenant-db.ts'
import type { Logger } from './log.ts'
import { describeConfig } from './config/runtime-config.ts'
import { tenantSchemaVersion } from '../../wire/tenant-schema.ts'

export type AssignOutcome = 'assigned' | 'unchanged' | 'conflict' | 'not-assigned' | 'updated'

// A database that is briefly unreachable (a Neon compute waking, Postgres restarting) is retried, not fatal.
const DB_RETRY_INITIAL_MS = 250
const DB_RETRY_MAX_MS = 15_000
/** How long an assignment call waits for the database before answering (it keeps trying after). */
const ASSIGN_WAIT_FOR_DB_MS = 10_000

export interface RuntimeState {
  config(): RuntimeConfig | null
  /** The tenant database, or null (a 503 not-ready) while it is not ready. */
  db(): TenantDb | null
  isReady(): boolean
  isDraining(): boolean
  assign(config: RuntimeConfig): Promise<AssignOutcome>
  updateConfig(config: RuntimeConfig): Promise<AssignOutcome>
  /** Marks a unit of in-flight work (a request, a streamed reply); call the returned function when it ends. */
  begin(): () => void
  inFlight(): number
  /** Readiness goes false; new work is refused; resolves when in-flight work ends or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<{ drained: boolean }>
  close(): Promise<void>
}

/** `migrationsFolder`: the tenant-database migrations, found at start-up (findMigrationsFolder). */
export function createRuntimeState(log: Logger, migrationsFolder: string): RuntimeState {
  // Read once: every assignment compares the database's version with it.
  const schemaVersion = tenantSchemaVersion(migrationsFolder)
  const onMigrated = (from: number) => log.warn({ event: 'tenant-db-migrated', from, to: schemaVersion },
    'tenant database was behind this runtime\'s migrations; migrated it (the platform migrates at provisioning)')
  let config: RuntimeConfig | null = null
  let database: TenantDatabase | null = null
  let connecting: Promise<void> | null = null
  let generation = 0
  let draining = false
  let closed = false
  let inFlight = 0
  const idleWaiters = new Set<() => void>()

  function connect(url: string): Promise<void> {
    const myGeneration = ++generation
    let delayMs = DB_RETRY_INITIAL_MS
    const attempt = async (): Promise<void> => {
      while (!closed && myGeneration === generation) {
        try {
          const opened = await openTenantDatabase(url, { schemaVersion, migrationsFolder, onMigrated })
          if (closed || myGeneration !== generation) {
            await opened.close()
            return
          }
          const previous = database
          database = opened
          if (previous) await previous.close().catch(() => {})
          log.info({ event: 'tenant-db-ready' }, 'tenant database reachable, schema current, connections warm')
          return
        } catch (err) {
          // The message of a pg error can contain the host; log the code only.
          log.warn({ event: 'tenant-db-unavailable', code: (err as { code?: string }).code ?? 'unknown', retryInMs: delayMs }, 'tenant database not ready; retrying')
          await new Promise((r) => setTimeout(r, delayMs))
          delayMs = Math.min(delayMs * 2, DB_RETRY_MAX_MS)
        }
      }
    }
    connecting = attempt()
    return connecting
  }

  async function waitForDb(): Promise<void> {
    if (!connecting) return
    await Promise.race([connecting, new Promise((r) => setTimeout(r, ASSIGN_WAIT_FOR_DB_MS).unref())])
  }

  return {
    config: () => config,
    db: () => database?.db ?? null,
    isReady: () => config !== null && database !== null && !draining && !closed,
    isDraining: () => draining,
    async assign(next) {
      if (config && config.agentId !== next.agentId) return 'conflict'
      if (config) return this.updateConfig(next).then((o) => (o === 'updated' ? 'unchanged' : o))
      config = next
      log.info({ event: 'assigned', ...describeConfig(next) }, 'runtime assigned')
      void connect(next.tenantDatabaseUrl)
      await waitForDb()
      return 'assigned'
    },
    async updateConfig(next) {
      if (!config) return 'not-assigned'
      if (config.agentId !== next.agentId) return 'conflict'
      const dbChanged = config.tenantDatabaseUrl !== next.tenantDatabaseUrl
      config = next
      log.info({ event: 'config-updated', ...describeConfig(next) }, 'configuration updated; applies from the next turn')
      if (dbChanged) {
        void connect(next.tenantDatabaseUrl)
        await waitForDb()
      }
      return 'updated'
    },
    begin() {
      inFlight++
      let done = false
      return () => {
        if (done) return
        done = true
        inFlight--
        if (inFlight === 0) for (const wake of idleWaiters) wake()
      }
    },
    inFlight: () => inFlight,
    async drain(timeoutMs) {
      draining = true
      if (inFlight === 0) return { drained: true }
      if (timeoutMs <= 0) return { drained: false }
      return new Promise((resolve) => {
        const onIdle = () => {
          clearTimeout(timer)
          idleWaiters.delete(onIdle)
          resolve({ drained: true })
        }
        const timer = setTimeout(() => {
          idleWaiters.delete(onIdle)
          resolve({ drained: false })
        }, timeoutMs)
        idleWaiters.add(onIdle)
      })
    },
    async close() {
      closed = true
      generation++
      const current = database
      database = null
      if (current) await current.close().catch(() => {})
    },
  }
}
