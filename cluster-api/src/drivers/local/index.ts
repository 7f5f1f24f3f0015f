// The `local` workload driver: each awake superfriend is a supervised child process on a loopback port,
// with a warm pool of generic runtimes, idle-out to zero processes, crash restart with backoff, and a local ingress.

import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WorkloadDriver } from '../types.ts'

export interface LocalDriverLogger {
  debug?(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface LocalDriverOptions {
  /** The edge signing secret: the ingress verifies it, every runtime receives it. */
  signingSecret: string
  /** Base URL of this cluster-api, given to runtimes for usage reports. */
  platformUrl: string
  /** Entry file of the agent runtime. Default: the repo's agent/src/main.ts. */
  runtimeEntry?: string
  /** Extra environment for every runtime process (merged over a minimal inherited env). */
  runtimeEnv?: Record<string, string>
  /** Idle time before an awake agent is stopped (ms). Default 300_000 (5 min); 0 = never idle out. */
  idleTimeoutMs?: number
  /** Generic runtimes kept started ahead of time. Default 2; 0 disables the pool. */
  warmPoolSize?: number
  /** Port of the local ingress. Default 0 (a free port). */
  ingressPort?: number
  /** Interface of the local ingress. Default 127.0.0.1. */
  ingressHost?: string
  /** How long a starting runtime may take to answer /readyz (ms). Default 30_000; 0 = wait forever. */
  startTimeoutMs?: number
  /** SIGTERM drain given to a runtime before SIGKILL (ms). Default 10_000; 0 = SIGKILL at once. */
  stopTimeoutMs?: number
  /** First restart delay after a crash (ms), doubled per consecutive crash. Default 250. */
  restartBackoffMs?: number
  /** Upper bound of the restart delay (ms). Default 10_000. */
  maxRestartBackoffMs?: number
  /** Crashes within `crashWindowMs` that make a crash loop: the agent is stopped and reported 'failed'. Default 5. */
  maxCrashes?: number
  /** Window in which crashes are counted (ms). Default 60_000. */
  crashWindowMs?: number
  logger?: LocalDriverLogger
}

export interface LocalDriver extends WorkloadDriver {
  readonly name: 'local'
  /** Base URL of the local ingress, e.g. http://127.0.0.1:43121. */
  readonly ingressUrl: string
}

export const DEFAULT_RUNTIME_ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../agent/src/main.ts')

export async function createLocalDriver(options: LocalDriverOptions): Promise<LocalDriver> {
  void options
  throw new Error('local driver: not implemented yet')
}
