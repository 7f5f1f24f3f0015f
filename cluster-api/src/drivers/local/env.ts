// The local driver's settings from the cluster-api's environment, parsed once at start-up; bad values fail fast.
// The factory (drivers/index.ts) merges these over its own signingSecret/platformUrl.

import type { LocalDriverOptions } from './options.ts'

/** Environment variables the local driver reads (all optional; defaults in options.ts). */
export const LOCAL_DRIVER_ENV = {
  /** ms of inactivity before an agent's process is stopped; 0 = never (default 300000). */
  idleTimeoutMs: 'MYINTELL_IDLE_TIMEOUT_MS',
  /** Generic runtimes kept ready; 0 disables the pool (default 2). */
  warmPoolSize: 'MYINTELL_WARM_POOL_SIZE',
  /** Port of the local ingress; 0 = a free port (default 0). */
  ingressPort: 'MYINTELL_INGRESS_PORT',
  /** Interface of the local ingress (default 127.0.0.1). */
  ingressHost: 'MYINTELL_INGRESS_HOST',
  /** Entry file of the agent runtime (default the repo's bundle agent/dist/runtime.mjs, built by `npm run build`). */
  runtimeEntry: 'MYINTELL_RUNTIME_ENTRY',
  /** ms from spawn/assignment to ready before a start counts as failed; 0 = no bound (default 30000). */
  startTimeoutMs: 'MYINTELL_START_TIMEOUT_MS',
  /** ms a runtime drains after SIGTERM; 0 = exit at once (default 10000). */
  drainTimeoutMs: 'MYINTELL_RUNTIME_DRAIN_TIMEOUT_MS',
} as const

type NumericKey = 'idleTimeoutMs' | 'warmPoolSize' | 'ingressPort' | 'startTimeoutMs' | 'drainTimeoutMs'

export function localDriverOptionsFromEnv(env: Record<string, string | undefined>): Partial<LocalDriverOptions> {
  const options: Partial<LocalDriverOptions> = {}
  const numeric: NumericKey[] = ['idleTimeoutMs', 'warmPoolSize', 'ingressPort', 'startTimeoutMs', 'drainTimeoutMs']
  for (const key of numeric) {
    const name = LOCAL_DRIVER_ENV[key]
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0, got "${raw}"`)
    options[key] = value
  }
  const host = env[LOCAL_DRIVER_ENV.ingressHost]
  if (host) options.ingressHost = host
  const entry = env[LOCAL_DRIVER_ENV.runtimeEntry]
  if (entry) options.runtimeEntry = entry
  return options
}
