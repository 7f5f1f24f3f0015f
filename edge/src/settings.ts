// The Worker's variables (wrangler.toml `[vars]` and its secret), each with its default, unit and what 0 means.
// config.ts builds the typed config from them once per isolate; the README's tables are checked against this list.

import { DEFAULT_IDLE_TIMEOUT_MS } from '../../wire/idle-timeout.ts'
import { choice, integer, settingsSchema, text, url } from '../../wire/settings.ts'
import { MIN_SECRET_LENGTH } from '../../wire/signature.ts'
import { otelSettings } from '../../wire/otel.ts'

/** Cloudflare answers 524 when an origin takes longer than this to begin its response: the edge says so first. */
export const DEFAULT_ORIGIN_TIMEOUT_MS = 100_000
/** The runtime accepts request bodies up to 1 MiB (agent/src/http/read-json.ts): every body it takes can be replayed. */
export const DEFAULT_REPLAY_BODY_MAX_BYTES = 1_048_576

/** Default window of the tenant rate limit; must equal `simple.period` of TENANT_RATE_LIMIT in wrangler.toml. */
export const RATE_LIMIT_PERIOD_SECONDS = 10

/** The Worker's variables (wrangler.toml `[vars]` and its secret), each with its default, unit and what 0 means. */
export const EDGE_SETTINGS = settingsSchema({
  baseDomain: text('BASE_DOMAIN', { default: 'localhost', doc: 'api.<base>, app.<base>, <slug>.<base>' }),
  clusterApiUrl: url('CLUSTER_API_URL', { required: true, doc: 'the cluster-api, for /v1 and the signed internal API' }),
  originUrl: url('ORIGIN_URL', { required: true, doc: 'Traefik in production, the local ingress locally' }),
  jwksUrl: url('AUTH_JWKS_URL', { doc: 'where session JWTs are verified (Clerk in production); unset: JWTs are refused' }),
  issuer: text('AUTH_ISSUER', { doc: 'the expected `iss` of session JWTs' }),
  audience: text('AUTH_AUDIENCE', { doc: 'the expected `aud` of session JWTs' }),
  signingSecret: text('EDGE_SIGNING_SECRET', {
    required: true, secret: true, minLength: MIN_SECRET_LENGTH, doc: 'the master signing secret, shared with the cluster-api',
  }),
  wakeTimeoutMs: integer('WAKE_TIMEOUT_MS', { default: 30_000, min: 1, unit: 'ms', doc: 'held requests wait this long for a wake before 503' }),
  maxHeldRequests: integer('MAX_HELD_REQUESTS', {
    default: 1_000, min: 1, unit: 'count', doc: 'held requests per agent; past it 503 (bounds the memory one agent can pin)',
  }),
  usageFlushIntervalMs: integer('USAGE_FLUSH_INTERVAL_MS', { default: 5_000, min: 1, unit: 'ms', doc: 'how often the gate flushes activity and usage' }),
  gateIdleMs: integer('GATE_IDLE_MS', {
    default: DEFAULT_IDLE_TIMEOUT_MS, unit: 'ms', zero: 'never forget "warm" by itself (MYINTELL_IDLE_TIMEOUT_MS=0)',
    doc: 'the gate forgets "warm" after this long without activity; npm start passes the platform\'s idle timeout',
  }),
  clusterApiTimeoutMs: integer('CLUSTER_API_TIMEOUT_MS', {
    default: 30_000, min: 1, unit: 'ms', doc: 'a /v1 call the cluster-api has not begun to answer by then gets 504',
  }),
  originTimeoutMs: integer('ORIGIN_TIMEOUT_MS', {
    default: DEFAULT_ORIGIN_TIMEOUT_MS, unit: 'ms', zero: 'no bound', doc: 'how long the edge waits for an origin\'s response to begin before 504',
  }),
  replayBodyMaxBytes: integer('REPLAY_BODY_MAX_BYTES', {
    default: DEFAULT_REPLAY_BODY_MAX_BYTES, unit: 'bytes', zero: 'stream every body',
    doc: 'request bodies up to this size are kept and replayed through the gate after "no endpoints"',
  }),
  rateLimit: choice('RATE_LIMIT', ['on', 'off'], { doc: 'the per-tenant rate limit; unset: on when the TENANT_RATE_LIMIT binding exists' }),
  rateLimitPeriodSeconds: integer('RATE_LIMIT_PERIOD_SECONDS', {
    default: RATE_LIMIT_PERIOD_SECONDS, min: 10, max: 60, unit: 's', doc: 'the window of the TENANT_RATE_LIMIT binding (10 or 60); the Retry-After of a 429',
  }),
  accessLog: choice('ACCESS_LOG', ['pretty', 'json', 'off'], { default: 'off', doc: 'one line per request' }),
  ...otelSettings('myintell-edge'),
})

