// Payloads of the internal API (`/internal/v1/*`) that the edge calls on the cluster-api.
// Every call carries an edge signature (wire/signature.ts); the cluster-api refuses anything else.

export type Visibility = 'private' | 'public'

/** What the gate knows about an agent's workload. */
export type WorkloadState = 'cold' | 'waking' | 'ready' | 'failed'

/** GET /internal/v1/routes/:slug → 200 RouteInfo | 404 problem */
export interface RouteInfo {
  slug: string
  agentId: string
  tenantId: string
  visibility: Visibility
  state: WorkloadState
}

/** POST /internal/v1/keys/verify { key } → 200 KeyVerification | 401 problem */
export interface KeyVerification {
  keyId: string
  tenantId: string
  /** The key's scopes (the cluster-api's API_KEY_SCOPES); the edge needs CHAT_SCOPE to let a key talk to an agent. */
  scopes: string[]
}

/**
 * The problem code of POST /internal/v1/keys/verify's 401 for a key that is unknown or revoked: the only refusal
 * that means "no such key" (a 401 for the edge's own signature has another code and is an error).
 */
export const UNKNOWN_KEY_CODE = 'invalid-api-key'

/**
 * The API-key scope that lets a key talk to superfriends (chat, the OpenAI-compatible API, WebSocket) through
 * the edge. Keys the dashboard and the CLI create by default carry it; a key without it gets 403 at the edge.
 */
export const CHAT_SCOPE = 'chat'

/** GET /internal/v1/users/:userId/tenants → 200 UserTenants (the tenants a JWT subject may act for) */
export interface UserTenants {
  userId: string
  tenantIds: string[]
}

/** POST /internal/v1/agents/:agentId/wake → 202 WorkloadStatus (idempotent: waking a waking agent is a no-op) */
/** A status long poll never holds a connection longer than this, whatever waitMs asks (the edge's budgets rely on it). */
export const MAX_STATUS_WAIT_MS = 30_000

/** GET /internal/v1/agents/:agentId/status[?waitMs=n] → 200 WorkloadStatus; with waitMs, answers once ready or after n ms */
export interface WorkloadStatus {
  agentId: string
  state: WorkloadState
  ready: boolean
  replicas: number
  /** Present when state is 'failed': why (crash loop, image pull, quota, …). */
  message?: string
}

/** POST /internal/v1/ingest { batchId, items } → 202 { accepted, duplicate } */
export interface IngestBatch {
  /** Unique per batch; a batch sent twice (a retried flush) is counted once. */
  batchId: string
  items: IngestItem[]
}
export interface IngestItem {
  agentId: string
  tenantId: string
  /** Start of the period this item covers, epoch ms. */
  from: number
  /** End of the period, epoch ms. */
  to: number
  requests: number
  bytesIn: number
  bytesOut: number
  wakes: number
  coldStartMs: number
  tokensIn: number
  tokensOut: number
  activeSeconds: number
  /** WebSockets and streams still open at `to`: the agent is busy even with no new requests. */
  openStreams: number
  /** Tool calls in the period; only a runtime's own reports carry them. Absent: 0. */
  toolCalls?: number
}
export interface IngestResult {
  accepted: number
  duplicate: boolean
}

/**
 * POST /internal/v1/runtime/agents/:agentId/usage { batchId, items } → 202 { accepted, duplicate }: what a runtime
 * reports about its own agent, signed with that agent's key (never the edge's). It can report only what only it
 * knows (tokens) for only its own agent: requests, bytes and wakes are the edge's to count.
 */
export interface RuntimeUsageBatch {
  /** Unique per batch from this runtime; retried deliveries of one batch are counted once. */
  batchId: string
  items: RuntimeUsageItem[]
}
export interface RuntimeUsageItem {
  from: number
  to: number
  tokensIn: number
  tokensOut: number
  /** Replies still streaming at `to`. */
  openStreams: number
  /** Tool calls the model made in this period (built-in, MCP, delegates). Absent: 0. */
  toolCalls?: number
}

/**
 * POST /internal/v1/runtime/agents/:agentId/delegate DelegateRequest → 200 DelegateReply | problem: a runtime asks one
 * of its agent's delegates (RuntimeConfig.delegates), signed with its own agent's key, so the path's agent id is
 * proven. The cluster-api checks the caller's current delegates, the depth and cycles, wakes the delegate and sends it
 * the turn. 403 `not-a-delegate`, 409 `delegation-cycle` / `delegation-too-deep`, 503 when the delegate did not wake.
 */
export interface DelegateRequest {
  /** The delegate's slug, as in RuntimeConfig.delegates. */
  delegate: string
  message: string
}
export interface DelegateReply {
  delegate: string
  reply: string
  conversationId: string | null
}

/** Paths, so both sides spell them once. */
export const INTERNAL_PATHS = {
  route: (slug: string) => `/internal/v1/routes/${encodeURIComponent(slug)}`,
  verifyKey: '/internal/v1/keys/verify',
  userTenants: (userId: string) => `/internal/v1/users/${encodeURIComponent(userId)}/tenants`,
  wake: (agentId: string) => `/internal/v1/agents/${encodeURIComponent(agentId)}/wake`,
  status: (agentId: string) => `/internal/v1/agents/${encodeURIComponent(agentId)}/status`,
  ingest: '/internal/v1/ingest',
  /** Signed by the agent's own key: see RuntimeUsageBatch. */
  runtimeUsage: (agentId: string) => `/internal/v1/runtime/agents/${encodeURIComponent(agentId)}/usage`,
  /** Signed by the calling agent's own key: see DelegateRequest. */
  runtimeDelegate: (agentId: string) => `/internal/v1/runtime/agents/${encodeURIComponent(agentId)}/delegate`,
  scaling: (agentId: string) => `/internal/v1/scaling/agents/${encodeURIComponent(agentId)}`,
} as const
