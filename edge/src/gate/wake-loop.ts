// One wake, start to finish: ask the cluster-api to wake the agent, then long-poll its status with backoff
// until it is ready, it failed, the deadline passed or the gate aborted (its alarm fired).

import type { WorkloadStatus } from '../../../wire/internal-api.ts'
import { LONG_POLL_MS, POLL_BACKOFF_MAX_MS, POLL_BACKOFF_START_MS } from '../budgets.ts'

export interface WakeClient {
  wake(agentId: string, signal?: AbortSignal): Promise<WorkloadStatus>
  status(agentId: string, waitMs: number, signal?: AbortSignal): Promise<WorkloadStatus>
}

export interface WakeLoopOptions {
  client: WakeClient
  agentId: string
  /** Epoch ms; the loop gives up at this time even if the alarm has not fired yet. */
  deadline: number
  signal: AbortSignal
  /** false when resuming a wake that a previous incarnation of the gate already issued. */
  issueWake: boolean
}

export type WakeOutcome =
  | { ok: true }
  | { ok: false; code: 'wake-timeout' | 'wake-failed'; detail?: string }

const TIMEOUT: WakeOutcome = { ok: false, code: 'wake-timeout' }

/** A 4xx (the agent is paused, gone, …) will not change by asking again; 5xx and network errors may. */
function isRefusal(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  // Pacing inside a running wake, not a lifecycle timer: the wake's bound is the gate's alarm.
  try {
    await scheduler.wait(ms, { signal })
  } catch {
    // aborted: the caller checks the signal
  }
}

export async function wakeUntilReady(options: WakeLoopOptions): Promise<WakeOutcome> {
  const { client, agentId, deadline, signal } = options
  let backoff = POLL_BACKOFF_START_MS
  if (options.issueWake) {
    try {
      const status = await client.wake(agentId, signal)
      if (status.ready) return { ok: true }
      if (status.state === 'failed') return { ok: false, code: 'wake-failed', detail: status.message }
    } catch (error) {
      if (isRefusal(error)) return { ok: false, code: 'wake-failed', detail: String(error) }
      // Transient (the cluster-api restarting): the status loop below re-issues the wake on 'cold'.
    }
  }
  for (;;) {
    const remaining = deadline - Date.now()
    if (remaining <= 0 || signal.aborted) return TIMEOUT
    const waitMs = Math.min(LONG_POLL_MS, remaining)
    const started = Date.now()
    let status: WorkloadStatus | null = null
    try {
      status = await client.status(agentId, waitMs, signal)
    } catch {
      if (signal.aborted) return TIMEOUT
    }
    if (status?.ready) return { ok: true }
    if (status?.state === 'failed') return { ok: false, code: 'wake-failed', detail: status.message }
    if (status?.state === 'cold') {
      // Nobody is waking it (the first wake was lost, or the agent went back to sleep): ask again.
      try {
        await client.wake(agentId, signal)
      } catch (error) {
        if (isRefusal(error)) return { ok: false, code: 'wake-failed', detail: String(error) }
      }
    }
    if (Date.now() - started < waitMs / 2) {
      await pause(backoff, signal)
      backoff = Math.min(backoff * 2, POLL_BACKOFF_MAX_MS)
    }
  }
}
