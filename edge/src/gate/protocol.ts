// What the Worker and its AgentGate say to each other over Durable Object RPC.

import type { RouteInfo } from '../../../wire/internal-api.ts'

export interface ResolveResult {
  route: RouteInfo | null
  /** The gate believes the agent can take traffic now: the Worker may go straight to the origin. */
  warm: boolean
}

export type HoldResult =
  | { ok: true; waited: boolean; coldStartMs: number }
  | { ok: false; status: 503; code: string; title: string; retryAfterSeconds: number }

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
}

export function emptyDelta(agentId: string, tenantId: string): UsageDelta {
  return { agentId, tenantId, requests: 0, bytesIn: 0, bytesOut: 0, messages: 0, streamsOpened: 0, streamsClosed: 0 }
}

export function addDelta(into: UsageDelta, from: Partial<UsageDelta>): void {
  into.requests += from.requests ?? 0
  into.bytesIn += from.bytesIn ?? 0
  into.bytesOut += from.bytesOut ?? 0
  into.messages += from.messages ?? 0
  into.streamsOpened += from.streamsOpened ?? 0
  into.streamsClosed += from.streamsClosed ?? 0
}
