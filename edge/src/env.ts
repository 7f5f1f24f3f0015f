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
  CLUSTER_API_TIMEOUT_MS?: string
  /** ms to an origin's first byte before 504; 0: no bound. */
  ORIGIN_TIMEOUT_MS?: string
  /** Bodies up to this many bytes are kept for a replay through the gate; 0: none. */
  REPLAY_BODY_MAX_BYTES?: string
  /** Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml), keyed `<tenant>:own` or `<tenant>:ip:<client>`. Absent: no limit. */
  TENANT_RATE_LIMIT?: RateLimit
  /** `on` (needs TENANT_RATE_LIMIT) or `off`; unset: on when the binding exists. */
  RATE_LIMIT?: string
  /** TENANT_RATE_LIMIT's `simple.period` (10 or 60): the binding cannot tell the Worker; sent as Retry-After. */
  RATE_LIMIT_PERIOD_SECONDS?: string
  EDGE_SIGNING_SECRET?: string
  /** `pretty` (one readable line per request), `json`, or `off` (default). */
  ACCESS_LOG?: string
  /** OTLP/HTTP collector for the edge's spans; unset: no traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string
  OTEL_SERVICE_NAME?: string
  /** `key=value,…` sent with each export (a secret). */
  OTEL_EXPORTER_OTLP_HEADERS?: string
}
