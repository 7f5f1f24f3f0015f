// What every route handler may use: the database, the optional workload driver and tenant database
// provisioner, settings, and the logger. Built once in server.ts.

import type { Logger } from 'pino'
import type { WorkloadDriver } from './drivers/types.ts'
import type { TenantDatabaseProvisioner } from './tenant-db/types.ts'
import type { Db } from './db/types.ts'

export interface ApiDeps {
  db: Db
  driver: WorkloadDriver | null
  tenantDatabases: TenantDatabaseProvisioner | null
  signingSecret: string
  /** An agent with activity (or a wake) within this window counts as active for KEDA; 0 = always, once woken. */
  idleTimeoutMs: number
  /** Bearer token KEDA's metrics-api trigger presents on the scaling endpoint; null: only edge-signed calls. */
  scalerToken: string | null
  /** Provider keys passed to every runtime (RuntimeConfig.secrets). */
  runtimeSecrets: Record<string, string>
  logger: Logger
}
