// What every route handler may use: the database, the optional workload driver and tenant database
// provisioner, settings, and the logger. Built once in server.ts.

import type { Logger } from 'pino'
import type { EgressPolicy } from '../../wire/egress.ts'
import type { AgentSecrets } from './secrets/agent-secrets.ts'
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
  /** Agents' own secrets, sealed at rest; opened only into RuntimeConfigs. */
  secrets: AgentSecrets
  /** Where agents may connect (MYINTELL_EGRESS_ALLOW): an MCP server URL is judged by it when an agent names it. */
  egress: { policy: EgressPolicy; resolve: (host: string) => Promise<string[]> }
  /** Local driver: each agent's workspace is `<workspaceRoot>/<agent id>` (RuntimeConfig.workspaceDir); null: none. */
  workspaceRoot: string | null
  logger: Logger
}
