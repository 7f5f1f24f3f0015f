// Typed edge configuration, parsed once per isolate from the bindings. Bad config fails fast.

import { assertSigningSecret, type SigningKey } from '../../wire/signature.ts'
import type { Env } from './env.ts'
import { AgentKeys, edgeSecret, nodeHmac } from '../../wire/node-hmac.ts'
import { anonSessionKey, type AnonSessionKey } from './auth/anon-session.ts'

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
  /** The gate forgets "warm" after this long without activity (the origin then decides). Default 5 min. */
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
  /** The edge's own key (derived from EDGE_SIGNING_SECRET): signs calls to the cluster-api, which accepts no other. */
  edgeKey: SigningKey
  /** Each agent's key (derived from EDGE_SIGNING_SECRET): signs the agent's traffic; its runtime holds only that key. */
  agentKeys: AgentKeys
  /** Binds anonymous-session cookies to their agent (derived from EDGE_SIGNING_SECRET, used for nothing else). */
  anonSessionKey: AnonSessionKey
}

export interface RateLimitConfig {
  /** The binding's window, 10 or 60 s; a refused client is told to retry after one window. */
  periodSeconds: 10 | 60
}

/** Cloudflare answers 524 when an origin takes longer than this to begin its response: the edge says so first. */
export const DEFAULT_ORIGIN_TIMEOUT_MS = 100_000
/** The runtime accepts request bodies up to 1 MiB (agent/src/http/read-json.ts): every body it takes can be replayed. */
export const DEFAULT_REPLAY_BODY_MAX_BYTES = 1_048_576

/** Default window of the tenant rate limit; must equal `simple.period` of TENANT_RATE_LIMIT in wrangler.toml. */
export const RATE_LIMIT_PERIOD_SECONDS = 10

function integer(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`)
  return value
}

function url(name: string, raw: string | undefined): URL {
  if (!raw) throw new Error(`${name} is required`)
  try {
    return new URL(raw)
  } catch {
    throw new Error(`${name} must be an absolute URL, got "${raw}"`)
  }
}

function rateLimit(env: Env): RateLimitConfig | null {
  const mode = (env.RATE_LIMIT ?? '').trim().toLowerCase()
  if (mode === 'off') return null
  if (mode !== '' && mode !== 'on') throw new Error(`RATE_LIMIT must be "on" or "off", got "${env.RATE_LIMIT}"`)
  if (!env.TENANT_RATE_LIMIT) {
    // Explicitly on but unbound is a deploy mistake; unset and unbound is a bare Worker (benchmarks): no limit.
    if (mode === 'on') throw new Error('RATE_LIMIT is on but the TENANT_RATE_LIMIT binding ([[ratelimits]] in wrangler.toml) is missing')
    return null
  }
  const period = integer('RATE_LIMIT_PERIOD_SECONDS', env.RATE_LIMIT_PERIOD_SECONDS, RATE_LIMIT_PERIOD_SECONDS, 1)
  if (period !== 10 && period !== 60) throw new Error(`RATE_LIMIT_PERIOD_SECONDS must be 10 or 60 (the binding's period), got "${period}"`)
  return { periodSeconds: period }
}

export function parseConfig(env: Env): EdgeConfig {
  assertSigningSecret(env.EDGE_SIGNING_SECRET)
  return {
    baseDomain: (env.BASE_DOMAIN || 'localhost').toLowerCase(),
    clusterApiUrl: url('CLUSTER_API_URL', env.CLUSTER_API_URL),
    originUrl: url('ORIGIN_URL', env.ORIGIN_URL),
    auth: {
      jwksUrl: env.AUTH_JWKS_URL ? url('AUTH_JWKS_URL', env.AUTH_JWKS_URL) : null,
      issuer: env.AUTH_ISSUER || undefined,
      audience: env.AUTH_AUDIENCE || undefined,
    },
    wakeTimeoutMs: integer('WAKE_TIMEOUT_MS', env.WAKE_TIMEOUT_MS, 30_000, 1),
    maxHeldRequests: integer('MAX_HELD_REQUESTS', env.MAX_HELD_REQUESTS, 1_000, 1),
    usageFlushIntervalMs: integer('USAGE_FLUSH_INTERVAL_MS', env.USAGE_FLUSH_INTERVAL_MS, 5_000, 1),
    gateIdleMs: integer('GATE_IDLE_MS', env.GATE_IDLE_MS, 300_000, 1),
    clusterApiTimeoutMs: integer('CLUSTER_API_TIMEOUT_MS', env.CLUSTER_API_TIMEOUT_MS, 30_000, 1),
    originTimeoutMs: integer('ORIGIN_TIMEOUT_MS', env.ORIGIN_TIMEOUT_MS, DEFAULT_ORIGIN_TIMEOUT_MS),
    replayBodyMaxBytes: integer('REPLAY_BODY_MAX_BYTES', env.REPLAY_BODY_MAX_BYTES, DEFAULT_REPLAY_BODY_MAX_BYTES),
    rateLimit: rateLimit(env),
    edgeKey: nodeHmac(edgeSecret(env.EDGE_SIGNING_SECRET)),
    agentKeys: new AgentKeys(env.EDGE_SIGNING_SECRET),
    anonSessionKey: anonSessionKey(env.EDGE_SIGNING_SECRET),
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
