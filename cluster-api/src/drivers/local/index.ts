// The `local` workload driver: each awake superfriend is a supervised child process on a loopback port,
// with a warm pool of generic runtimes, idle-out to zero processes, crash restart with backoff, and a local ingress.

import { existsSync } from 'node:fs'
import type { WorkloadStatus } from '../../../../wire/internal-api.ts'
import { createLocalIngress } from './ingress/index.ts'
import type { IngressRouter, IngressTarget } from './ingress/index.ts'
import type { AgentSpec, StartReport, StateListener, WorkloadDriver } from '../types.ts'
import { AgentSupervisor } from './agent-supervisor.ts'
import { DEFAULT_RUNTIME_ENTRY, resolveSettings } from './options.ts'
import type { LocalDriverOptions, LocalDriverSettings } from './options.ts'
import { RuntimeProcess } from './runtime-process.ts'
import { WarmPool } from './warm-pool.ts'

export type { LocalDriverOptions } from './options.ts'

export interface LocalDriver extends WorkloadDriver {
  readonly name: 'local'
  /** Base URL of the local ingress, e.g. http://127.0.0.1:43121. */
  readonly ingressUrl: string
  /** Resolves once the agent is ready; rejects if it fails, is stopped, or `signal` aborts. For `status?waitMs=`. */
  waitUntilReady(agentId: string, signal: AbortSignal): Promise<void>
  /** See WorkloadDriver.watchStates: every change of an agent's state, told from this process's own supervisors. */
  watchStates(listener: StateListener): () => void
  /** Pids of every live runtime process (agents, draining ones and the pool): for tests and diagnostics. */
  pids(): { agents: Record<string, number[]>; pool: number[]; warm: number[] }
}

function coldStatus(agentId: string): WorkloadStatus {
  return { agentId, state: 'cold', ready: false, replicas: 0 }
}

export async function createLocalDriver(options: LocalDriverOptions): Promise<LocalDriver> {
  const settings = resolveSettings(options)
  if (!existsSync(settings.runtimeEntry)) {
    const hint = settings.runtimeEntry === DEFAULT_RUNTIME_ENTRY ? '; the agent runtime is a bundle built by `npm run build`' : ''
    throw new Error(`local driver: runtime entry not found: ${settings.runtimeEntry}${hint}`)
  }
  const { logger } = settings
  const supervisors = new Map<string, AgentSupervisor>()
  const bySlug = new Map<string, AgentSupervisor>()
  let closing: Promise<void> | null = null
  const stateListeners = new Set<StateListener>()
  const tellState = (status: WorkloadStatus) => {
    for (const listener of [...stateListeners]) {
      try {
        listener(status)
      } catch (err) {
        logger.warn({ agentId: status.agentId, err: { message: (err as Error).message } }, 'a workload state listener failed')
      }
    }
  }

  const startListeners = new Set<(report: StartReport) => void>()
  const tellStart = (report: StartReport) => {
    for (const listener of [...startListeners]) listener(report)
  }

  const spawn = (config: AgentSpec | undefined, label: Record<string, unknown>) => spawnRuntime(settings, config, label)
  const pool = settings.warmPoolSize > 0
    ? new WarmPool({ size: settings.warmPoolSize, spawn: () => spawn(undefined, { pool: true }), startTimeoutMs: settings.startTimeoutMs, killAfterMs: settings.killAfterMs, logger })
    : null

  const router: IngressRouter = {
    route(tenantHost): IngressTarget {
      const supervisor = bySlug.get(tenantHost)
      if (!supervisor) return { kind: 'unknown' }
      const port = supervisor.readyPort
      return port === null ? { kind: 'no-endpoints', agentId: supervisor.agentId } : { kind: 'ready', agentId: supervisor.agentId, port }
    },
    beginStream(agentId) {
      return supervisors.get(agentId)?.beginStream() ?? (() => {})
    },
  }
  const ingress = await createLocalIngress({ signingSecret: settings.signingSecret, router, host: settings.ingressHost, port: settings.ingressPort, logger })
  pool?.fill()

  // Last resort when the cluster-api exits without close(): nothing asynchronous runs in an `exit` handler,
  // so every runtime gets SIGKILL. (A SIGKILLed cluster-api is covered by parent-watch.mjs inside each runtime.)
  const onExit = () => {
    pool?.killAll()
    for (const supervisor of supervisors.values()) supervisor.killAll()
  }
  const onSignal = (signal: NodeJS.Signals) => {
    // `once` already removed our listener: any listener left belongs to the host, which then owns the exit.
    const hostHandlesIt = process.listenerCount(signal) > 0
    void driver.close().finally(() => {
      // Nobody else listens: restore the default action (exit) that our handler suppressed.
      if (!hostHandlesIt) process.kill(process.pid, signal)
    })
  }
  process.on('exit', onExit)
  if (settings.handleSignals) {
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  }

  function supervisorOf(agentId: string): AgentSupervisor | undefined {
    return supervisors.get(agentId)
  }

  function assertOpen(): void {
    if (closing) throw new Error('local driver is closed')
  }

  const driver: LocalDriver = {
    name: 'local',
    ingressUrl: ingress.url,

    async ensure(spec) {
      assertOpen()
      const existing = supervisors.get(spec.agentId)
      if (!existing) {
        const supervisor = new AgentSupervisor(spec, { settings, pool, spawn, onState: tellState, onStart: tellStart })
        supervisors.set(spec.agentId, supervisor)
        bySlug.set(spec.slug, supervisor)
        return
      }
      if (existing.spec.slug !== spec.slug) {
        bySlug.delete(existing.spec.slug)
        bySlug.set(spec.slug, existing)
      }
      await existing.update(spec)
    },

    async remove(agentId) {
      const supervisor = supervisors.get(agentId)
      if (!supervisor) return
      supervisors.delete(agentId)
      if (bySlug.get(supervisor.spec.slug) === supervisor) bySlug.delete(supervisor.spec.slug)
      await supervisor.close()
    },

    async wake(agentId) {
      assertOpen()
      const supervisor = supervisorOf(agentId)
      if (!supervisor) throw new Error(`local driver: unknown agent ${agentId}; call ensure() first`)
      return supervisor.wake()
    },

    async status(agentId) {
      return supervisorOf(agentId)?.status() ?? coldStatus(agentId)
    },

    async touch(agentId, at, openStreams) {
      supervisorOf(agentId)?.touch(at, openStreams)
    },

    async list() {
      return [...supervisors.values()].map((s) => s.status())
    },

    // Every state lives in this process: nothing runs before the first wake, and each change is told as it happens.
    watchStates(listener) {
      stateListeners.add(listener)
      return () => void stateListeners.delete(listener)
    },

    watchStarts(listener) {
      startListeners.add(listener)
      return () => void startListeners.delete(listener)
    },

    waitUntilReady(agentId, signal) {
      const supervisor = supervisorOf(agentId)
      if (!supervisor) return Promise.reject(new Error(`local driver: unknown agent ${agentId}`))
      return supervisor.waitUntilReady(signal)
    },

    pids() {
      const agents: Record<string, number[]> = {}
      for (const [agentId, supervisor] of supervisors) agents[agentId] = supervisor.pids()
      return { agents, pool: pool?.pids() ?? [], warm: pool?.readyPids() ?? [] }
    },

    close() {
      closing ??= (async () => {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        await Promise.all([
          ingress.close(),
          pool?.close(),
          ...[...supervisors.values()].map((s) => s.close()),
        ])
        process.off('exit', onExit)
        logger.info({}, 'local driver closed: every runtime stopped')
      })()
      return closing
    },
  }
  return driver
}

function spawnRuntime(settings: LocalDriverSettings, config: AgentSpec | undefined, label: Record<string, unknown>): RuntimeProcess {
  return new RuntimeProcess({
    entry: settings.runtimeEntry,
    baseEnv: settings.baseEnv,
    platformUrl: settings.platformUrl,
    drainTimeoutMs: settings.drainTimeoutMs,
    ...(config ? { config } : {}),
    logger: settings.logger,
    label,
  })
}
