// The Worker's bindings as wrangler.toml declares them. Everything is a string; config.ts parses it once.

import type { AgentGate } from './gate/agent-gate.ts'

export interface Env {
  AGENT_GATE: DurableObjectNamespace<AgentGate>
  ASSETS?: Fetcher
  BASE_DOMAIN?: string
  CLUSTER_API_URL?: string
  ORIGIN_URL?: string
  AUTH_JWKS_URL?: string
  AUTH_ISSUER?: string
  AUTH_AUDIENCE?: string
  WAKE_TIMEOUT_MS?: string
  MAX_HELD_REQUESTS?: string
  USAGE_FLUSH_INTERVAL_MS?: string
  GATE_IDLE_MS?: string
  RATE_LIMIT_PER_SECOND?: string
  RATE_LIMIT_BURST?: string
  EDGE_SIGNING_SECRET?: string
  /** `pretty` (one readable line per request), `json`, or `off` (default). */
  ACCESS_LOG?: string
}
