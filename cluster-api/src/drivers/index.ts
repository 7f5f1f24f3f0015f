// Starts the workload driver the settings name (config.ts: MYINTELL_DRIVER and that driver's section): `local`
// (default) or `kubernetes`. Each driver's code is loaded only when it is the one chosen.

import type { StructuredLogger } from '../../../wire/logger.ts'
import type { KubernetesDriverEnv } from './kubernetes/env.ts'
import type { LocalDriverEnv } from './local/env.ts'
import type { INHERITED_ENV } from './local/options.ts'
import type { AgentSpec, WorkloadDriver } from './types.ts'

/** The chosen driver with its section of the settings, as config.ts parsed them. */
export type DriverSettings =
  | {
    name: 'local'
    local: LocalDriverEnv
    /** The platform's idle timeout (MYINTELL_IDLE_TIMEOUT_MS); 0 = never stop an idle agent. */
    idleTimeoutMs: number
    /** The cluster-api's own values of what runtimes inherit (PATH, HOME, LOG_LEVEL, …). */
    inheritedEnv: Partial<Record<(typeof INHERITED_ENV)[number], string>>
  }
  | { name: 'kubernetes'; kubernetes: KubernetesDriverEnv }

export interface DriverFactoryOptions {
  driver: DriverSettings
  /** The platform's master secret: the local ingress derives each agent's key from it (runtimes get only their own). */
  signingSecret: string
  /** Base URL of this cluster-api, for runtimes (usage ingest) and KEDA (activity). */
  platformUrl: string
  /** Local driver: stop runtimes on SIGINT/SIGTERM by itself (default true). Off when the host owns shutdown. */
  handleSignals?: boolean
  /** kubernetes: the platform's desired set, so the reconcile loop can remove orphans. */
  desiredAgents?: () => Promise<AgentSpec[]>
  /** Optional logger shared with the driver (pino's satisfies it). */
  logger?: StructuredLogger
  /** Environment every runtime gets from the platform's settings (MYINTELL_EGRESS_ALLOW, MYINTELL_WORKSPACE_QUOTA_BYTES). */
  runtimeEnv?: Record<string, string>
}

export async function createDriver(options: DriverFactoryOptions): Promise<WorkloadDriver> {
  const { driver } = options
  if (driver.name === 'local') {
    const { createLocalDriver } = await import('./local/index.ts')
    const { runtimeEntry, ...local } = driver.local
    return createLocalDriver({
      ...local,
      ...(runtimeEntry ? { runtimeEntry } : {}),
      idleTimeoutMs: driver.idleTimeoutMs,
      inheritedEnv: driver.inheritedEnv,
      signingSecret: options.signingSecret,
      platformUrl: options.platformUrl,
      handleSignals: options.handleSignals,
      ...(options.runtimeEnv ? { runtimeEnv: options.runtimeEnv } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    })
  }
  const { createKubernetesDriver } = await import('./kubernetes/index.ts')
  return createKubernetesDriver({
    ...driver.kubernetes,
    platformUrl: options.platformUrl,
    ...(options.runtimeEnv ? { runtimeEnv: options.runtimeEnv } : {}),
    ...(options.desiredAgents ? { desiredAgents: options.desiredAgents } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  })
}
