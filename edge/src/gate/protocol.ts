// What the Worker and its AgentGate say to each other over Durable Object RPC.

import type { RouteInfo } from '../../../wire/internal-api.ts'

export interface ResolveResult {
  route: RouteInfo | null
  /** The gate believes the agent can take traffic now: the Worker may go straight to the origin. */
  warm: boolean
  /**
   * The gate had no usable copy and the cluster-api did not answer (the reason, for the Worker's log): the route is
   * unknown for now, not absent. An answer rather than an exception, which workerd would log as uncaught in the object.
   */
  lookupFailed?: string
}

export type HoldResult =
  | { ok: true; waited: boolean; coldStartMs: number }
  | { ok: false; status: 503; code: string; title: string; retryAfterSeconds: number }

/**
 * admit(): a seat on the running wake, counted against MAX_HELD_REQUESTS until that wake ends, or an answer
 * at once (warm: go; the bound is full: 503). A seat's holder then waits with waitForWake(wakeId), which
 * the held requests of one isolate share (shared-wait.ts): one answer per isolate releases them all.
 */
export type AdmitResult = { kind: 'answer'; result: HoldResult } | { kind: 'seat'; wakeId: string }

/**
 * waitForWake(): the wake's outcome; or `still-waking` after one round (the caller asks again, so no one
 * request's lifetime carries a long wait for others); or `unknown-wake` when this gate never ran that wake
 * (it was reset since: the caller takes a new seat, and the stored phase resumes the same wake).
 */
export type WaitResult = { kind: 'answer'; result: HoldResult } | { kind: 'still-waking' } | { kind: 'unknown-wake' }

/** Counts since the last report from one isolate for one agent. Summed by the gate, flushed as IngestItems. */
export interface UsageDelta {
  agentId: string
  tenantId: string
  requests: number
  bytesIn: number
  bytesOut: number
  /** WebSocket messages in either direction: activity that is not a request. */
  messages: number
  streamsOpened: number
  streamsClosed: number
  /**
   * When the newest of these counts happened (epoch ms, the isolate's clock; 0: unknown). Pushes are paced, so
   * the gate starts its idle clock from this, not from the push's arrival: a late push must not keep the gate
   * 'warm' after the platform, which saw the traffic itself, has already put the agent to sleep.
   */
  lastActivityAt: number
}

export function emptyDelta(agentId: string, tenantId: string): UsageDelta {
  return { agentId, tenantId, requests: 0, bytesIn: 0, bytesOut: 0, messages: 0, streamsOpened: 0, streamsClosed: 0, lastActivityAt: 0 }
}

export function addDelta(into: UsageDelta, from: Partial<UsageDelta>): void {
  into.requests += from.requests ?? 0
  into.bytesIn += from.bytesIn ?? 0
  into.bytesOut += from.bytesOut ?? 0
  into.messages += from.messages ?? 0
  into.streamsOpened += from.streamsOpened ?? 0
  into.streamsClosed += from.streamsClosed ?? 0
  into.lastActivityAt = Math.max(into.lastActivityAt, from.lastActivityAt ?? 0)
}
