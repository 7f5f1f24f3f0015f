// startClusterApi: opens (and migrates) the platform database, starts the HTTP server, and returns a
// handle to close everything. Used by main.ts, by tests and by the edge's integration tests.

import { serve, type ServerType } from '@hono/node-server'
import { randomBytes } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import type { AddressInfo } from 'node:net'
import { pino, type Logger } from 'pino'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../wire/idle-timeout.ts'
import { ORIGIN_MAX_HEADER_BYTES } from '../../wire/request-limits.ts'
import { assertSigningSecret } from '../../wire/signature.ts'
import { egressPolicy } from '../../wire/egress.ts'
import { createApp } from './app.ts'
import type { ApiDeps } from './context.ts'
import { openDatabase, type PlatformDatabase } from './db/connect.ts'
import type { Db } from './db/types.ts'
import type { AgentSpec, WorkloadDriver } from './drivers/types.ts'
import { AgentSecrets } from './secrets/agent-secrets.ts'
import type { SecretsKeys } from './secrets/secrets-key.ts'
import { AgentDataPurger } from './tenant-db/agent-data-purger.ts'
import type { TenantDatabaseProvisioner } from './tenant-db/types.ts'
import { PlatformMetrics } from './metrics/metrics.ts'
import { Workloads } from './workloads/workloads.ts'
import { startNodeTracing } from '../../wire/node-tracing.ts'
import type { TracingSettings } from '../../wire/otel.ts'
import { mountV1, type AuthOptions } from './v1/mount.ts'
import type { RunsSettings } from './config.ts'
import { DEFAULT_RUNS_SETTINGS, Runs } from './runs/index.ts'

export interface DatabaseInfo {
  /** Platform database URL (secret). */
  url: string
  /** Admin URL of the embedded server, null for an external database. */
  adminUrl: string | null
  driver: PlatformDatabase['driver']
}

/** What a driver factory learns once the server listens. */
export interface DriverContext {
  url: string
  database: DatabaseInfo
  /** Every agent's spec from the platform DB: the desired set a reconciling driver keeps (the rest are orphans). */
  desiredAgents: () => Promise<AgentSpec[]>
}

export interface ClusterApiOptions {
  /** Unset: embedded PostgreSQL under `<dataDir>/postgres`. */
  databaseUrl?: string | undefined
  /** Force a database driver for a URL (MYINTELL_DB_DRIVER). */
  dbDriver?: 'postgres' | 'neon' | undefined
  /** Plain-ws proxy for the Neon driver (local testing only). */
  neonWsProxy?: string | undefined
  /** Default `.data`. */
  dataDir?: string | undefined
  /** 0 picks a free port. Default 0. */
  port?: number | undefined
  /** Default 127.0.0.1. */
  host?: string | undefined
  /** The edge signing secret (≥ 32 characters). */
  signingSecret: string
  /** A driver, or a factory called once the server listens (drivers need the platform URL). The server closes it. */
  driver?: WorkloadDriver | ((context: DriverContext) => Promise<WorkloadDriver | null>) | undefined
  /** A provisioner, or a factory given the platform database (the embedded server's admin URL). */
  tenantDatabases?: TenantDatabaseProvisioner | ((database: DatabaseInfo) => TenantDatabaseProvisioner) | undefined
  auth?: AuthOptions | undefined
  /** Svix secret of the Clerk webhook endpoint; unset: POST /v1/webhooks/clerk answers 404. */
  clerkWebhookSecret?: string | undefined
  /** An agent with no activity, wake or open stream for this long is idle (KEDA may scale it to zero); 0 = never. */
  idleTimeoutMs?: number | undefined
  /** Bearer token KEDA presents on /internal/v1/scaling/*. */
  scalerToken?: string | undefined
  runtimeSecrets?: Record<string, string> | undefined
  /**
   * The keys agent secrets are sealed with (config.ts resolves MYINTELL_SECRETS_KEY). Unset: a random key for this
   * process only, so secrets stored now cannot be read after a restart (tests and benchmarks).
   */
  secretsKeys?: SecretsKeys | undefined
  /** MYINTELL_EGRESS_ALLOW: private hosts and CIDRs an agent's MCP server may be on. Unset: public addresses only. */
  egressAllow?: string | undefined
  /** Resolves a host name to all its addresses, for the MCP URL check. Default: the system resolver. */
  resolveHost?: ((host: string) => Promise<string[]>) | undefined
  /** Local driver: the directory agents' workspaces are made in (`<dataDir>/workspaces`). Unset: no workspaceDir. */
  workspaceRoot?: string | undefined
  logger?: Logger | undefined
  /** OpenTelemetry traces; unset or without an endpoint: none. */
  tracing?: TracingSettings | undefined
  /** Runs and schedules (defaults: DEFAULT_RUNS_SETTINGS); false: none in this process (their routes answer 503). */
  runs?: Partial<RunsSettings> | false | undefined
}

/** How long the MCP URL check waits for DNS before it refuses the URL as unresolvable. */
const RESOLVE_TIMEOUT_MS = 5_000

async function systemResolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`resolving ${host} took over ${RESOLVE_TIMEOUT_MS} ms`)), RESOLVE_TIMEOUT_MS)
  })
  try {
    const answers = await Promise.race([lookup(host, { all: true }), timeout])
    return answers.map((answer) => answer.address)
  } finally {
    clearTimeout(timer)
  }
}

export interface ClusterApi {
  /** `http://host:port`, no trailing slash. */
  url: string
  port: number
  db: Db
  database: DatabaseInfo
  driver: WorkloadDriver | null
  workloads: Workloads
  runs: Runs | null
  /** Stops the HTTP server, then schedules and runs, then the driver, then the database (and the embedded PostgreSQL). */
  close(): Promise<void>
}

export async function startClusterApi(options: ClusterApiOptions): Promise<ClusterApi> {
  assertSigningSecret(options.signingSecret)
  const logger = options.logger ?? pino({ level: 'info' })
  const tracing = startNodeTracing(options.tracing ?? { endpoint: undefined, serviceName: '', headers: {} })
  const platform = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir ?? '.data',
    driver: options.dbDriver,
    neonWsProxy: options.neonWsProxy,
    log: (line) => logger.debug({ component: 'postgres' }, line.trim()),
  })
  const database: DatabaseInfo = { url: platform.url, adminUrl: platform.adminUrl, driver: platform.driver }
  let server: ServerType | null = null
  let driver: WorkloadDriver | null = null
  let purger: AgentDataPurger | null = null
  let runs: Runs | null = null
  try {
    const tenantDatabases = typeof options.tenantDatabases === 'function' ? options.tenantDatabases(database) : options.tenantDatabases ?? null
    const secretsKeys = options.secretsKeys ?? { current: randomBytes(32) }
    if (!options.secretsKeys) logger.warn('no secrets key given: agent secrets stored now are unreadable after a restart')
    const secrets = new AgentSecrets(platform.db, secretsKeys, logger)
    // A rotated key (MYINTELL_SECRETS_KEY new, _PREVIOUS old) takes effect here: every row moves to the new key.
    await secrets.rotate()
    const deps: ApiDeps = {
      db: platform.db,
      driver: typeof options.driver === 'object' ? options.driver : null,
      tenantDatabases,
      signingSecret: options.signingSecret,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      scalerToken: options.scalerToken ?? null,
      runtimeSecrets: options.runtimeSecrets ?? {},
      secrets,
      egress: { policy: egressPolicy(options.egressAllow), resolve: options.resolveHost ?? systemResolve },
      workspaceRoot: options.workspaceRoot ?? null,
      logger,
    }
    const metrics = new PlatformMetrics(deps.db)
    const workloads = new Workloads(deps, metrics)
    purger = new AgentDataPurger({ db: platform.db, tenantDatabaseUrl: (tenant) => workloads.tenantDatabases.urlFor(tenant), logger })
    const selfUrl: { value: string } = { value: '' }
    const runSettings = options.runs === false ? null : { ...DEFAULT_RUNS_SETTINGS, ...options.runs }
    runs = runSettings ? new Runs({ deps, workloads, databaseUrl: platform.url, settings: runSettings, logger }) : null
    const v1 = await mountV1({
      deps, workloads, auth: options.auth ?? {}, clerkWebhookSecret: options.clerkWebhookSecret, selfUrl, ping: platform.ping, purger,
      runs, schedulesPerAgent: runSettings?.schedulesPerAgent ?? DEFAULT_RUNS_SETTINGS.schedulesPerAgent,
    })
    const delegation = { originUrl: runSettings?.originUrl, wakeTimeoutMs: runSettings?.wakeTimeoutMs ?? DEFAULT_RUNS_SETTINGS.wakeTimeoutMs }
    const app = createApp({ deps, workloads, metrics, mount: v1, delegation })
    const host = options.host ?? '127.0.0.1'
    const address = await new Promise<AddressInfo>((resolve, reject) => {
      // maxHeaderSize: accept every request head the edge forwards (wire/request-limits.ts).
      server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host, serverOptions: { maxHeaderSize: ORIGIN_MAX_HEADER_BYTES } }, resolve)
      server.once('error', reject)
    })
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host
    const url = `http://${urlHost}:${address.port}`
    selfUrl.value = url
    if (typeof options.driver === 'function') deps.driver = await options.driver({ url, database, desiredAgents: () => workloads.desiredSpecs() })
    driver = deps.driver
    // Owed purges of deleted agents' tenant data: what a stopped process left now, then on a loop.
    purger.start()
    // The stored workload state (the edge's route lookup reads it) is the driver's word from here on.
    await workloads.followDriver()
    // Runs wake agents through the driver: they start once it is up (and recover what a stopped process left).
    await runs?.start()
    logger.info({ url, database: platform.driver, driver: driver?.name ?? null }, 'cluster-api listening')
    return {
      url, port: address.port, db: platform.db, database, driver, workloads, runs,
      close: async () => {
        await new Promise<void>((resolve) => {
          if (!server) return resolve()
          server.close(() => resolve())
          // Long-polls and keep-alive sockets would otherwise hold close() open.
          ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
        })
        // No new fires, then the runs in progress finish (bounded); what is cut short is retried after a restart.
        await runs?.stop()
        await purger?.close()
        await deps.driver?.close()
        // A stopped driver told every agent cold: written before the database closes.
        await workloads.stopFollowing()
        await platform.close()
        await tracing.shutdown()
      },
    }
  } catch (error) {
    const started = server as ServerType | null
    if (started) started.close()
    await runs?.stop().catch(() => {})
    await purger?.close()
    await driver?.close().catch(() => {})
    await platform.close()
    await tracing.shutdown()
    throw error
  }
}
