// The workload driver interface: how the cluster-api runs superfriends, whatever runs them.
// `local` (child processes on this machine) and `kubernetes` (K3s + KEDA + Traefik) implement it.

import type { WorkloadStatus } from '../../../wire/internal-api.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'

/** Everything a driver needs to run one agent; built from the platform DB, no DB access in drivers. */
export type AgentSpec = RuntimeConfig

/** How a start the driver finished went: for the wake metrics (no agent id: metrics carry no per-agent labels). */
export interface StartReport {
  ok: boolean
  /** hit: a warm-pool runtime was assigned; miss: the pool had none ready (or it refused); none: no pool. */
  warmPool: 'hit' | 'miss' | 'none'
  /** From the start of the launch to ready (or to the failure). */
  durationMs: number
}

/** Told an agent's status each time its workload state changes (see WorkloadDriver.watchStates). */
export type StateListener = (status: WorkloadStatus) => void

export interface WorkloadDriver {
  readonly name: 'local' | 'kubernetes'
  /** Creates or updates everything the agent needs, leaving it asleep unless it is awake. Idempotent. */
  ensure(spec: AgentSpec): Promise<void>
  /** Removes every object or process of the agent. Idempotent: removing a missing agent is not an error. */
  remove(agentId: string): Promise<void>
  /** Starts the agent now (scale 0 → 1). Idempotent; returns without waiting for readiness. */
  wake(agentId: string): Promise<WorkloadStatus>
  /** Current state of the agent's workload. */
  status(agentId: string): Promise<WorkloadStatus>
  /** Records activity reported by the edge: keeps an awake agent awake. */
  touch(agentId: string, at: number, openStreams: number): Promise<void>
  /** Status of every agent this driver knows. */
  list(): Promise<WorkloadStatus[]>
  /**
   * Resolves as soon as the agent is ready; rejects if it fails, is not waking, or `signal` aborts. Optional:
   * a status long poll waits on it instead of asking status() every STATUS_POLL_INTERVAL_MS.
   */
  waitUntilReady?(agentId: string, signal: AbortSignal): Promise<void>
  /**
   * Calls `listener` with an agent's status whenever its state (cold, waking, ready, failed) changes: an idle-out, a
   * crash, a stop, readiness. Until the returned function is called. The platform keeps the stored state the edge's
   * route lookup reads from these pushes (and one list() at start-up), so a lookup never asks the driver.
   * Optional: without it, the stored state is only corrected when something asks for a wake or a status.
   */
  watchStates?(listener: StateListener): () => void
  /** Calls `listener` each time the driver finishes starting an agent (ready or failed). Optional: metrics only. */
  watchStarts?(listener: (report: StartReport) => void): () => void
  /** Stops everything this driver started in this process (local) or its loops (kubernetes). */
  close(): Promise<void>
}
