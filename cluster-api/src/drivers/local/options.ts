// Options of the local driver, their documented defaults, and the one place they are validated.
// Bad configuration fails at createLocalDriver(), not at the first wake.

import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../../../wire/idle-timeout.ts'
import { assertSigningSecret } from '../../../../wire/signature.ts'
import { silentLogger, type StructuredLogger } from '../../../../wire/logger.ts'

/**
 * The repo's agent runtime as it ships: the bundle `npm run build` writes (agent/vite.config.ts), resolved from this
 * file so the driver works from any working directory. Pre-built JavaScript keeps Node's TypeScript stripper and the
 * loading of hundreds of source files out of every runtime process (see `npm run bench -- agent`).
 */
export const DEFAULT_RUNTIME_ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../agent/dist/runtime.mjs')

/** Two ready runtimes cover a burst of wakes while the pool refills in the background. */
export const DEFAULT_WARM_POOL_SIZE = 2
/** Node start + module load + tenant DB migration; far above the expected ~1 s, below the edge's wake timeout. */
export const DEFAULT_START_TIMEOUT_MS = 30_000
/** What a runtime gets to finish open replies after SIGTERM (MYINTELL_DRAIN_TIMEOUT_MS). */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000
/** Past the drain, how long before SIGKILL: lets a drained runtime close its sockets and exit by itself. */
export const KILL_GRACE_MS = 2_000
export const DEFAULT_RESTART_BACKOFF_MS = 250
export const DEFAULT_MAX_RESTART_BACKOFF_MS = 10_000
/** Five crashes in a minute is a loop, not bad luck. */
export const DEFAULT_MAX_CRASHES = 5
export const DEFAULT_CRASH_WINDOW_MS = 60_000
/** A failed agent is not restarted by wakes for this long, so a flood of requests cannot re-run a crash loop. */
export const DEFAULT_FAILED_COOLDOWN_MS = 60_000

/**
 * Environment variables of the cluster-api handed on to runtimes as they are (the host reads them: config.ts);
 * everything else, the platform's secrets above all, is withheld.
 */
export const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'NODE_ENV', 'LOG_LEVEL'] as const

export interface LocalDriverOptions {
  /** The edge signing secret: the ingress verifies it, every runtime receives it. */
  signingSecret: string
  /** Base URL of this cluster-api, given to runtimes for usage reports. */
  platformUrl: string
  /** Entry file of the agent runtime. Default: the repo's bundle, agent/dist/runtime.mjs (`npm run build`). */
  runtimeEntry?: string
  /** The host's values of INHERITED_ENV for every runtime process (the cluster-api passes its own). Default none. */
  inheritedEnv?: Partial<Record<(typeof INHERITED_ENV)[number], string>>
  /** Extra environment for every runtime process, over inheritedEnv. */
  runtimeEnv?: Record<string, string>
  /** Idle time before an awake agent is stopped (ms). Default 300_000 (5 min); 0 = never idle out. */
  idleTimeoutMs?: number
  /** Generic runtimes kept started ahead of time. Default 2; 0 disables the pool. */
  warmPoolSize?: number
  /** Port of the local ingress. Default 0 (a free port). */
  ingressPort?: number
  /** Interface of the local ingress. Default 127.0.0.1. */
  ingressHost?: string
  /** How long a runtime may take from spawn or assignment to /readyz 200 (ms). Default 30_000; 0 = no bound. */
  startTimeoutMs?: number
  /** How long a runtime drains open replies after SIGTERM (ms). Default 10_000; 0 = exit at once. SIGKILL follows 2 s later. */
  drainTimeoutMs?: number
  /** First restart delay after a crash (ms), doubled per crash in the window. Default 250; 0 = restart at once. */
  restartBackoffMs?: number
  /** Upper bound of the restart delay (ms). Default 10_000. */
  maxRestartBackoffMs?: number
  /** Crashes within `crashWindowMs` that make a crash loop: the agent is stopped and reported 'failed'. Default 5. */
  maxCrashes?: number
  /** Window in which crashes are counted (ms). Default 60_000. */
  crashWindowMs?: number
  /** How long wakes leave a failed agent failed (ms). Default 60_000; 0 = a wake retries at once. ensure() always resets. */
  failedCooldownMs?: number
  /**
   * Stop every runtime when the cluster-api receives SIGINT/SIGTERM. Default true. If the host registered no handler
   * of its own, the signal is re-raised after the runtimes stopped, so the default exit still happens.
   */
  handleSignals?: boolean
  /** Default: drops everything. */
  logger?: StructuredLogger
}

export interface LocalDriverSettings {
  signingSecret: string
  platformUrl: string
  runtimeEntry: string
  baseEnv: Record<string, string>
  idleTimeoutMs: number
  warmPoolSize: number
  ingressPort: number
  ingressHost: string
  startTimeoutMs: number
  drainTimeoutMs: number
  /** SIGTERM → SIGKILL bound: the drain plus KILL_GRACE_MS. */
  killAfterMs: number
  restartBackoffMs: number
  maxRestartBackoffMs: number
  maxCrashes: number
  crashWindowMs: number
  failedCooldownMs: number
  handleSignals: boolean
  logger: StructuredLogger
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < 0) throw new Error(`local driver: ${name} must be an integer >= 0, got ${String(value)}`)
  return v
}

export function resolveSettings(options: LocalDriverOptions): LocalDriverSettings {
  assertSigningSecret(options.signingSecret)
  if (!options.platformUrl) throw new Error('local driver: requires option platformUrl')
  const baseEnv: Record<string, string> = {}
  for (const name of INHERITED_ENV) {
    const value = options.inheritedEnv?.[name]
    if (value !== undefined) baseEnv[name] = value
  }
  Object.assign(baseEnv, options.runtimeEnv ?? {})
  // A runtime holds only its own agent's key (in its RuntimeConfig), never the platform's master secret.
  delete baseEnv.EDGE_SIGNING_SECRET
  const drainTimeoutMs = nonNegativeInt('drainTimeoutMs', options.drainTimeoutMs, DEFAULT_DRAIN_TIMEOUT_MS)
  const maxCrashes = nonNegativeInt('maxCrashes', options.maxCrashes, DEFAULT_MAX_CRASHES)
  if (maxCrashes < 1) throw new Error('local driver: maxCrashes must be at least 1')
  return {
    signingSecret: options.signingSecret,
    platformUrl: options.platformUrl,
    runtimeEntry: options.runtimeEntry ?? DEFAULT_RUNTIME_ENTRY,
    baseEnv,
    idleTimeoutMs: nonNegativeInt('idleTimeoutMs', options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS),
    warmPoolSize: nonNegativeInt('warmPoolSize', options.warmPoolSize, DEFAULT_WARM_POOL_SIZE),
    ingressPort: nonNegativeInt('ingressPort', options.ingressPort, 0),
    ingressHost: options.ingressHost ?? '127.0.0.1',
    startTimeoutMs: nonNegativeInt('startTimeoutMs', options.startTimeoutMs, DEFAULT_START_TIMEOUT_MS),
    drainTimeoutMs,
    killAfterMs: drainTimeoutMs + KILL_GRACE_MS,
    restartBackoffMs: nonNegativeInt('restartBackoffMs', options.restartBackoffMs, DEFAULT_RESTART_BACKOFF_MS),
    maxRestartBackoffMs: nonNegativeInt('maxRestartBackoffMs', options.maxRestartBackoffMs, DEFAULT_MAX_RESTART_BACKOFF_MS),
    maxCrashes,
    crashWindowMs: nonNegativeInt('crashWindowMs', options.crashWindowMs, DEFAULT_CRASH_WINDOW_MS),
    failedCooldownMs: nonNegativeInt('failedCooldownMs', options.failedCooldownMs, DEFAULT_FAILED_COOLDOWN_MS),
    handleSignals: options.handleSignals ?? true,
    logger: options.logger ?? silentLogger,
  }
}
