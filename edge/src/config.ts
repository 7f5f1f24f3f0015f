// Typed edge configuration, parsed once per isolate from the bindings by one schema. Bad config fails fast.

import { SettingsError } from '../../wire/settings.ts'
import type { SigningKey } from '../../wire/signature.ts'
import type { Env } from './env.ts'
import { AgentKeys, edgeSecret, nodeHmac } from '../../wire/node-hmac.ts'
import { anonSessionKey, type AnonSessionKey } from './auth/anon-session.ts'
import { EDGE_SETTINGS } from './settings.ts'
import type { TracingSettings } from '../../wire/otel.ts'

export interface EdgeConfig {
  /** `myintell.ai` in production, `localhost` locally. */
  baseDomain: string
  clusterApiUrl: URL
  originUrl: URL
  auth: { jwksUrl: URL | null; issuer: string | undefined; audience: string | undefined }
  /** How long held requests wait for a wake before 503. Default 30 s: a cold pod start plus model load. */
  wakeTimeoutMs: number
  /** Held requests per agent; past it 503. Default 1,000: bounds the memory one agent can pin in its gate. */
  maxHeldRequests: number
  /** How often the gate flushes activity and usage to the cluster-api. Default 5 s. */
  usageFlushIntervalMs: number
  /** The gate forgets "warm" after this long without activity (the origin then decides). Default 5 min; 0: never by itself. */
  gateIdleMs: number
  /** A /v1 call the cluster-api has not begun to answer after this long gets 504 (its body, once flowing, is never cut). Default 30 s. */
  clusterApiTimeoutMs: number
  /**
   * How long the edge waits for an origin's response to begin (its status and headers, the first byte) before it
   * answers 504 + Retry-After. Default 100 s, Cloudflare's own bound: a JSON chat answers only once the whole reply
   * is written. 0: no bound. A body that has begun to flow (SSE, a download) is never cut.
   */
  originTimeoutMs: number
  /**
   * Request bodies up to this many bytes are read before forwarding: signed by their digest and kept, so a request
   * that meets "no endpoints" (a stale warm mark) is sent again through the gate. Larger ones stream through unread
   * (bound by the nonce) and get 503 + Retry-After in that case. Default 1 MiB, the runtime's own body limit;
   * 0: stream every body.
   */
  replayBodyMaxBytes: number
  /** The per-tenant rate limit (the TENANT_RATE_LIMIT binding holds the numbers); null: off. */
  rateLimit: RateLimitConfig | null
  /** One line per answered request: readable, JSON, or none. */
  accessLog: 'pretty' | 'json' | 'off'
  /** The edge's own key (derived from EDGE_SIGNING_SECRET): signs calls to the cluster-api, which accepts no other. */
  edgeKey: SigningKey
  /** Each agent's key (derived from EDGE_SIGNING_SECRET): signs the agent's traffic; its runtime holds only that key. */
  agentKeys: AgentKeys
  /** Binds anonymous-session cookies to their agent (derived from EDGE_SIGNING_SECRET, used for nothing else). */
  anonSessionKey: AnonSessionKey
  /** OpenTelemetry traces (telemetry/tracing.ts); unset or without an endpoint: off. */
  tracing?: TracingSettings
}

export interface RateLimitConfig {
  /** The binding's window, 10 or 60 s; a refused client is told to retry after one window. */
  periodSeconds: 10 | 60
}

function rateLimit(env: Env, mode: 'on' | 'off' | undefined, periodSeconds: number): RateLimitConfig | null {
  if (mode === 'off') return null
  if (!env.TENANT_RATE_LIMIT) {
    // Explicitly on but unbound is a deploy mistake; unset and unbound is a bare Worker (benchmarks): no limit.
    if (mode === 'on') throw new SettingsError(['RATE_LIMIT: is on but the TENANT_RATE_LIMIT binding ([[ratelimits]] in wrangler.toml) is missing'])
    return null
  }
  if (periodSeconds !== 10 && periodSeconds !== 60) {
    throw new SettingsError([`RATE_LIMIT_PERIOD_SECONDS: must be 10 or 60 (the binding's period), got "${periodSeconds}"`])
  }
  return { periodSeconds }
}

export function parseConfig(env: Env): EdgeConfig {
  const s = EDGE_SETTINGS.parse(env as unknown as Record<string, unknown>)
  return {
    baseDomain: s.baseDomain.toLowerCase(),
    clusterApiUrl: new URL(s.clusterApiUrl),
    originUrl: new URL(s.originUrl),
    auth: { jwksUrl: s.jwksUrl ? new URL(s.jwksUrl) : null, issuer: s.issuer, audience: s.audience },
    wakeTimeoutMs: s.wakeTimeoutMs,
    maxHeldRequests: s.maxHeldRequests,
    usageFlushIntervalMs: s.usageFlushIntervalMs,
    gateIdleMs: s.gateIdleMs,
    clusterApiTimeoutMs: s.clusterApiTimeoutMs,
    originTimeoutMs: s.originTimeoutMs,
    replayBodyMaxBytes: s.replayBodyMaxBytes,
    rateLimit: rateLimit(env, s.rateLimit, s.rateLimitPeriodSeconds),
    accessLog: s.accessLog,
    edgeKey: nodeHmac(edgeSecret(s.signingSecret)),
    agentKeys: new AgentKeys(s.signingSecret),
    anonSessionKey: anonSessionKey(s.signingSecret),
    tracing: { endpoint: s.otlpEndpoint, serviceName: s.otelServiceName, headers: s.otlpHeaders ?? {} },
  }
}

const parsed = new WeakMap<object, EdgeConfig>()

/** The config for this env object; bindings do not change within an isolate, so parse once. */
export function configFor(env: Env): EdgeConfig {
  let config = parsed.get(env)
  if (!config) {
    config = parseConfig(env)
    parsed.set(env, config)
  }
  return config
}
