// startPlatform(): the whole myintell platform on one machine, as `npm start` runs it — embedded PostgreSQL,
// the cluster-api with the local driver and its ingress, and the edge Worker in workerd on *.localhost.

import { mkdirSync, chmodSync } from 'node:fs'
import { resolve, join } from 'node:path'
import { unstable_startWorker } from 'wrangler'
import { pino, type Logger } from 'pino'
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../cluster-api/src/auth/local-issuer.ts'
import { CLUSTER_API_SETTINGS, loadConfig, LOCAL_WORKSPACES_DIR, readSettings, runtimeEnvOf } from '../cluster-api/src/config.ts'
import { createDriver } from '../cluster-api/src/drivers/index.ts'
import { LOCAL_INGRESS_PORT } from '../cluster-api/src/drivers/local/env.ts'
import { startClusterApi, type ClusterApi } from '../cluster-api/src/server.ts'
import { tenantDatabaseProvisioner } from '../cluster-api/src/tenant-databases.ts'
import { acquireInstanceLock } from './instance-lock.ts'
import { endLeftovers, markChildren, startWatchdog } from './leftovers.ts'
import { assertPortFree } from './ports.ts'
import { seedDevData, type DevSeed } from './seed.ts'
import { NPM_START_SETTINGS } from './settings.ts'
import { formatOtlpHeaders, type TracingSettings } from '../wire/otel.ts'

const root = resolve(import.meta.dirname, '..')

export interface PlatformOptions {
  /** Default `.data` (MYINTELL_DATA_DIR). */
  dataDir?: string
  /** The edge's port; 0 = a free one. Default 8787 (MYINTELL_PORT). */
  edgePort?: number
  /** The cluster-api's port; 0 = free. Default 8788 (PORT). */
  apiPort?: number
  /** The local ingress's port; 0 = free. Default 8789 (MYINTELL_INGRESS_PORT). */
  ingressPort?: number
  /** The environment the rest of the configuration is read from (npm start hands over process.env). */
  env: Readonly<Record<string, string | undefined>>
  logger?: Logger
  /**
   * Runs once the data directory is this platform's (its lock taken, what an earlier start left running ended) and
   * before anything starts: `npm start` builds the bundles here, so that a second start refused by the lock does not
   * rebuild them under the running platform.
   */
  beforeStart?: () => Promise<void>
  /** Where one-line notices go (leftovers of an earlier start that were ended). Default: the logger at warn. */
  notice?: (line: string) => void
}

export interface Platform {
  /** `http://localhost:8787` */
  edgeUrl: string
  baseDomain: string
  appUrl: string
  apiUrl: string
  agentUrl(slug: string): string
  /** The cluster-api, directly (not through the edge). */
  clusterApiUrl: string
  ingressUrl: string
  dataDir: string
  seed: DevSeed
  clusterApi: ClusterApi
  close(): Promise<void>
}

/** Refused settings of npm start that are not one variable's bad value: a driver npm start does not run. */
export class NotLocalDriverError extends Error {}

/** The platform on one machine is the local driver; another MYINTELL_DRIVER is refused, never ignored. */
export function assertLocalDriver(env: Readonly<Record<string, string | undefined>>): void {
  const driver = CLUSTER_API_SETTINGS.read(env).values.driver
  if (driver === 'kubernetes') {
    throw new NotLocalDriverError('MYINTELL_DRIVER=kubernetes: npm start runs the local driver only; to drive the cluster KUBECONFIG names, run the cluster-api on its own (MYINTELL_DRIVER=kubernetes node cluster-api/src/main.ts) and the edge with ORIGIN_URL at its Traefik')
  }
  if (driver === 'none') {
    throw new NotLocalDriverError('MYINTELL_DRIVER=none: npm start runs the local driver only; for the API without a workload driver run the cluster-api on its own (MYINTELL_DRIVER=none node cluster-api/src/main.ts)')
  }
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { env } = options
  assertLocalDriver(env)
  // Parsed without side effects first: the data directory and the ports are needed before the lock is taken.
  const own = NPM_START_SETTINGS.parse(env)
  const { settings, driver } = readSettings(env)
  const dataDir = resolve(options.dataDir ?? settings.dataDir)
  mkdirSync(dataDir, { recursive: true })
  // The embedded PostgreSQL runs as the `postgres` user when we are root: it must be able to enter .data/.
  chmodSync(dataDir, 0o755)
  const edgePort = options.edgePort ?? own.edgePort
  const apiPort = options.apiPort ?? settings.port
  const ingressPort = options.ingressPort ?? (driver?.name === 'local' ? driver.local.ingressPort : LOCAL_INGRESS_PORT)
  const logger = options.logger ?? pino({ level: own.logLevel })
  const notice = options.notice ?? ((line: string) => logger.warn(line))

  const release = await acquireInstanceLock(dataDir)
  // From here on every child (PostgreSQL, workerd) carries this data directory's mark, and the watchdog ends them
  // if this process dies without stopping them.
  const watchdog = startWatchdog(dataDir, markChildren(dataDir))
  const cleanups: Array<() => Promise<void>> = [async () => { release(); await watchdog.stopped() }]
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'))
  }
  try {
    // The lock was free or its holder is dead: whatever an earlier start left running on this data directory is ours
    // to end, and would otherwise hold its ports and PostgreSQL's files.
    const ended = await endLeftovers(dataDir)
    if (ended.length > 0) notice(`ended ${ended.join(', ')}, left running on ${dataDir} by an earlier start that did not stop`)
    await assertPortFree(edgePort, '127.0.0.1', 'MYINTELL_PORT')
    await assertPortFree(apiPort, '127.0.0.1', 'PORT')
    await assertPortFree(ingressPort, '127.0.0.1', 'MYINTELL_INGRESS_PORT')
    const config = loadConfig({ ...env, MYINTELL_DATA_DIR: dataDir, PORT: String(apiPort), MYINTELL_INGRESS_PORT: String(ingressPort) })
    const localDriver = config.driver
    if (localDriver?.name !== 'local') throw new Error('npm start runs the local driver only')
    await options.beforeStart?.()

    const clusterApi = await startClusterApi({
      databaseUrl: config.databaseUrl,
      dbDriver: config.dbDriver,
      dataDir,
      port: apiPort,
      host: '127.0.0.1',
      signingSecret: config.signingSecret,
      auth: config.auth,
      idleTimeoutMs: config.idleTimeoutMs,
      runtimeSecrets: config.runtimeSecrets,
      secretsKeys: config.secretsKeys,
      egressAllow: config.egressAllow,
      workspaceRoot: join(dataDir, LOCAL_WORKSPACES_DIR),
      runs: config.runs,
      logger,
      tracing: config.tracing,
      tenantDatabases: tenantDatabaseProvisioner(config.tenantDatabases),
      driver: ({ url }) => createDriver({
        driver: localDriver, signingSecret: config.signingSecret, platformUrl: url,
        // startPlatform's close() stops the runtimes in order (edge, API, agents, PostgreSQL); the caller owns signals.
        handleSignals: false,
        runtimeEnv: runtimeEnvOf(config),
      }),
    })
    cleanups.push(() => clusterApi.close())
    const ingressUrl = (clusterApi.driver as { ingressUrl?: string } | null)?.ingressUrl
    if (!ingressUrl) throw new Error('the local driver did not start its ingress')

    const edge = await startEdge({
      port: edgePort, clusterApiUrl: clusterApi.url, originUrl: ingressUrl, signingSecret: config.signingSecret,
      persistDir: join(dataDir, 'edge'),
      idleTimeoutMs: config.idleTimeoutMs,
      // One readable line per request in development, JSON with NODE_ENV=production (MYINTELL_ACCESS_LOG overrides).
      accessLog: own.accessLog ?? (config.production ? 'json' : 'pretty'),
      tracing: config.tracing,
    })
    cleanups.push(() => edge.dispose())
    const port = Number(edge.url.port)
    const edgeUrl = `http://localhost:${port}`
    const seed = await seedDevData({ clusterApiUrl: clusterApi.url, dataDir })

    return {
      edgeUrl,
      baseDomain: 'localhost',
      appUrl: `http://app.localhost:${port}`,
      apiUrl: `http://api.localhost:${port}`,
      agentUrl: (slug) => `http://${slug}.localhost:${port}`,
      clusterApiUrl: clusterApi.url,
      ingressUrl,
      dataDir,
      seed,
      clusterApi,
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

interface EdgeOptions {
  port: number
  clusterApiUrl: string
  originUrl: string
  signingSecret: string
  persistDir: string
  /** The platform's idle timeout: the gate forgets "warm" no later than the agent is put to sleep. */
  idleTimeoutMs: number
  accessLog: string
  /** The platform's collector: the edge's spans go there too, under the edge's own service name. */
  tracing: TracingSettings
}

/** The edge Worker from wrangler.toml, bundled by wrangler and run in workerd, never logging in anywhere. */
async function startEdge(options: EdgeOptions): Promise<{ url: URL; dispose(): Promise<void> }> {
  process.env.CI = 'true'
  process.env.WRANGLER_SEND_METRICS = 'false'
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
  process.env.XDG_CONFIG_HOME ??= join(root, '.xdg')
  mkdirSync(process.env.XDG_CONFIG_HOME, { recursive: true })
  const vars: Record<string, string> = {
    BASE_DOMAIN: 'localhost',
    CLUSTER_API_URL: options.clusterApiUrl,
    ORIGIN_URL: options.originUrl,
    // The cluster-api is the local issuer: the edge verifies its session tokens with the same jose code as Clerk's.
    AUTH_JWKS_URL: `${options.clusterApiUrl}/.well-known/jwks.json`,
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    EDGE_SIGNING_SECRET: options.signingSecret,
    // Activity reaches the cluster-api a flush later than the gate sees it, so with equal timeouts the gate
    // always goes cold first: a request after sleep is held and wakes the agent instead of meeting no endpoints.
    GATE_IDLE_MS: String(options.idleTimeoutMs),
    ACCESS_LOG: options.accessLog,
  }
  if (options.tracing.endpoint) vars.OTEL_EXPORTER_OTLP_ENDPOINT = options.tracing.endpoint
  const otlpHeaders = formatOtlpHeaders(options.tracing.headers)
  if (otlpHeaders) vars.OTEL_EXPORTER_OTLP_HEADERS = otlpHeaders
  // The secret as secret_text: wrangler never prints its value in any table or log.
  const bindings = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: k === 'EDGE_SIGNING_SECRET' || k === 'OTEL_EXPORTER_OTLP_HEADERS' ? 'secret_text' as const : 'plain_text' as const, value: v }]))
  const worker = await unstable_startWorker({
    config: join(root, 'wrangler.toml'),
    bindings,
    dev: {
      server: { hostname: '127.0.0.1', port: options.port },
      inspector: false,
      watch: false,
      logLevel: 'warn',
      // The Worker's own console output (the access log, its errors), without wrangler's banners and tables.
      structuredLogsHandler: (log: { level: string; message: string }) => {
        const stream = log.level === 'error' || log.level === 'warn' ? process.stderr : process.stdout
        stream.write(`${log.message.trimEnd()}\n`)
      },
      persist: options.persistDir,
    },
  } as Parameters<typeof unstable_startWorker>[0])
  await worker.ready
  return {
    url: await worker.url,
    dispose: () => worker.dispose().catch((error: unknown) => {
      // Ctrl-C reaches the whole process group, workerd included, which may have exited before we dispose of it;
      // miniflare then reports the runtime as failed, or its write to workerd's closed control pipe fails with EPIPE.
      // Stopping it was the point.
      const code = (error as { code?: unknown }).code
      if (code !== 'ERR_RUNTIME_FAILURE' && code !== 'EPIPE') throw error
    }),
  }
}
