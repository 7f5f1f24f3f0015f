// Process entry of the cluster-api: reads the configuration once, starts the API (database, driver),
// and shuts everything down cleanly on SIGINT/SIGTERM. `npx node cluster-api/src/main.ts`.

import { pino } from 'pino'
import { SettingsError } from '../../wire/settings.ts'
import { join } from 'node:path'
import { loadConfig, LOCAL_WORKSPACES_DIR, runtimeEnvOf } from './config.ts'
import { createDriver } from './drivers/index.ts'
import { startClusterApi } from './server.ts'
import { tenantDatabaseProvisioner } from './tenant-databases.ts'

let config
try {
  config = loadConfig(process.env) // the one place the cluster-api reads its environment
} catch (error) {
  if (!(error instanceof SettingsError)) throw error
  console.error(`cluster-api: ${error.message}`)
  process.exit(78) // EX_CONFIG
}
const logger = pino({ level: config.logLevel })
const driverSettings = config.driver

const api = await startClusterApi({
  databaseUrl: config.databaseUrl,
  dbDriver: config.dbDriver,
  neonWsProxy: config.neonWsProxy,
  dataDir: config.dataDir,
  port: config.port,
  host: config.host,
  signingSecret: config.signingSecret,
  auth: config.auth,
  clerkWebhookSecret: config.clerkWebhookSecret,
  idleTimeoutMs: config.idleTimeoutMs,
  scalerToken: config.scalerToken,
  runtimeSecrets: config.runtimeSecrets,
  secretsKeys: config.secretsKeys,
  egressAllow: config.egressAllow,
  ...(config.driver?.name === 'local' ? { workspaceRoot: join(config.dataDir, LOCAL_WORKSPACES_DIR) } : {}),
  tenantDatabases: tenantDatabaseProvisioner(config.tenantDatabases),
  runs: config.runs,
  logger,
  tracing: config.tracing,
  // Decision: a driver that cannot start does not keep the API down. The API serves /v1 and routing,
  // and wake/status answer 503 `driver-unavailable` (with Retry-After) until a driver is configured.
  driver: driverSettings === null ? undefined : async ({ url, desiredAgents }) => {
    try {
      return await createDriver({
        driver: driverSettings, signingSecret: config.signingSecret, platformUrl: config.platformUrl ?? url, desiredAgents,
        // This process owns shutdown: api.close() stops the driver after the HTTP server, before PostgreSQL.
        handleSignals: false, logger, runtimeEnv: runtimeEnvOf(config),
      })
    } catch (error) {
      logger.error({ err: error, driver: driverSettings.name }, 'workload driver unavailable; wake and status will answer 503')
      return null
    }
  },
})

let closing = false
async function shutdown(signal: string): Promise<void> {
  if (closing) return
  closing = true
  logger.info({ signal }, 'shutting down')
  try {
    await api.close()
    process.exit(0)
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed')
    process.exit(1)
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'))
process.once('SIGTERM', () => void shutdown('SIGTERM'))
