// Chooses the workload driver named by MYINTELL_DRIVER: `local` (default) or `kubernetes`,
// and reads that driver's own settings from the environment once, failing fast on bad values.

import type { StructuredLogger } from '../../../wire/logger.ts'
import type { AgentSpec, WorkloadDriver } from './types.ts'

export type DriverName = 'local' | 'kubernetes'

/** The local ingress's default port: wrangler.toml's local ORIGIN_URL points here. */
export const LOCAL_INGRESS_PORT = 8789

export interface DriverFactoryOptions {
  name: DriverName
  /** The platform's master secret: the local ingress derives each agent's key from it (runtimes get only their own). */
  signingSecret: string
  /** Base URL of this cluster-api, for runtimes (usage ingest) and KEDA (activity). */
  platformUrl: string
  /** Where local state lives (.data/). */
  dataDir: string
  env: Record<string, string | undefined>
  /** Local driver: stop runtimes on SIGINT/SIGTERM by itself (default true). Off when the host owns shutdown. */
  handleSignals?: boolean
  /** kubernetes: the platform's desired set, so the reconcile loop can remove orphans. */
  desiredAgents?: () => Promise<AgentSpec[]>
  /** Optional logger shared with the driver (pino's satisfies it). */
  logger?: StructuredLogger
}

/** Reads a non-negative integer from the environment; unset or empty gives `fallback`. */
export function envInteger(env: Record<string, string | undefined>, name: string, fallback: number | undefined): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`invalid configuration:\n  ${name}: must be a non-negative integer, got "${raw}"`)
  return value
}

export async function createDriver(options: DriverFactoryOptions): Promise<WorkloadDriver> {
  const { env } = options
  if (options.name === 'local') {
    const { createLocalDriver, localDriverOptionsFromEnv } = await import('./local/index.ts')
    return createLocalDriver({
      // 8789 unless configured: the ORIGIN_URL that wrangler.toml gives `wrangler dev` locally.
      ingressPort: LOCAL_INGRESS_PORT,
      ...localDriverOptionsFromEnv(env),
      signingSecret: options.signingSecret,
      platformUrl: options.platformUrl,
      handleSignals: options.handleSignals,
      ...(options.logger ? { logger: options.logger } : {}),
    })
  }
  const { createKubernetesDriver } = await import('./kubernetes/index.ts')
  return createKubernetesDriver({
    platformUrl: options.platformUrl,
    image: env.MYINTELL_AGENT_IMAGE || undefined,
    ingressNamespace: env.MYINTELL_INGRESS_NAMESPACE || undefined,
    reconcileIntervalMs: envInteger(env, 'MYINTELL_RECONCILE_INTERVAL_MS', undefined),
    // Traefik entry points of agent IngressRoutes: `websecure` behind Cloudflare with Authenticated Origin Pulls.
    entryPoints: env.MYINTELL_INGRESS_ENTRYPOINTS ? env.MYINTELL_INGRESS_ENTRYPOINTS.split(',').map((e) => e.trim()).filter(Boolean) : undefined,
    ...(options.desiredAgents ? { desiredAgents: options.desiredAgents } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  })
}
