// Runtime settings parsed once at start-up from the environment by one schema (wire/runtime.ts RUNTIME_ENV names
// what the workload drivers set; the rest are agent-only knobs). Bad configuration fails fast, before listening.
import { RUNTIME_ENV } from '../../../wire/runtime.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { egressPolicy } from '../../../wire/egress.ts'
import type { EgressPolicy } from '../../../wire/egress.ts'
import { choice, custom, integer, port, settingsSchema, text, url } from '../../../wire/settings.ts'
import { parseRuntimeConfig } from './runtime-config.ts'
import { otelSettings, type TracingSettings } from '../../../wire/otel.ts'

export interface RuntimeSettings {
  port: number
  host: string
  /** null: a warm-pool process waiting for POST /_myintell/assign. */
  config: RuntimeConfig | null
  /** null: control endpoints refuse every call (nothing may assign this process). */
  controlToken: string | null
  platformUrl: string | null
  /** SIGTERM waits this long for in-flight replies; 0 = exit at once. */
  drainTimeoutMs: number
  /** A chat message longer than this (characters) is refused with 413. */
  maxMessageChars: number
  /** How often token usage is flushed to the platform ingest (ms). */
  usageFlushIntervalMs: number
  /** A provider that sends no first byte / no chunk for this long fails with a timeout (ms). */
  providerTimeoutMs: number
  /** Overrides the model's context window (tokens); null = the provider's own figure. */
  contextWindowTokens: number | null
  /** Pause between tokens of the `local` provider (ms); 0 = as fast as the event loop allows. */
  localTokenDelayMs: number
  /** Model calls (steps) one turn may make; the model's last step past it gets no more tool results. */
  toolMaxSteps: number
  /** A whole turn (every step and tool call) is cut off after this long (ms). */
  turnTimeoutMs: number
  /** The operator's egress allowlist for http_fetch and MCP servers (MYINTELL_EGRESS_ALLOW). */
  egress: EgressPolicy
  /** The agent's workspace directory; null: the workspace tool answers every call with a clear error. */
  workspaceDir: string | null
  workspaceQuotaBytes: number
  logLevel: LogLevel
  /** OpenTelemetry traces (telemetry/tracing.ts); unset or without an endpoint: off. */
  tracing?: TracingSettings
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000
// Roughly 8k tokens: generous for chat, small enough that one message cannot exhaust a model's window.
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000
export const DEFAULT_USAGE_FLUSH_INTERVAL_MS = 5_000
// Long enough for a slow first token from a large model, short enough that a hung provider does not hold a drain.
export const DEFAULT_PROVIDER_TIMEOUT_MS = 60_000
// Enough for look-up, act, check; a model stuck calling tools stops here instead of burning tokens.
export const DEFAULT_TOOL_MAX_STEPS = 8
// Several slow steps fit; a turn never holds a drain or a socket for longer than this.
export const DEFAULT_TURN_TIMEOUT_MS = 300_000
export const DEFAULT_WORKSPACE_QUOTA_BYTES = 50 * 1024 * 1024

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

function runtimeConfig(raw: string): RuntimeConfig {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new Error('is not valid JSON')
  }
  const parsed = parseRuntimeConfig(json)
  if (!parsed.ok) throw new Error(`is invalid: ${parsed.issues.join('; ')}`)
  return parsed.config
}

export const RUNTIME_SETTINGS = settingsSchema({
  port: port(RUNTIME_ENV.port, { default: 8080, doc: 'where the runtime listens; it announces the port on stdout' }),
  host: text(RUNTIME_ENV.host, { default: '127.0.0.1', doc: 'the interface to bind (0.0.0.0 in a pod)' }),
  config: custom(RUNTIME_ENV.config, { parse: runtimeConfig, doc: 'a whole RuntimeConfig as JSON; unset: a warm-pool process awaiting an assignment' }),
  controlToken: text(RUNTIME_ENV.controlToken, { secret: true, doc: 'bearer token of the control endpoints; unset: every control call is 401' }),
  platformUrl: url(RUNTIME_ENV.platformUrl, { doc: 'the cluster-api, where token usage is reported' }),
  drainTimeoutMs: integer(RUNTIME_ENV.drainTimeoutMs, {
    default: DEFAULT_DRAIN_TIMEOUT_MS, unit: 'ms', zero: 'exit at once', doc: 'how long SIGTERM waits for in-flight replies',
  }),
  maxMessageChars: integer('MYINTELL_MAX_MESSAGE_CHARS', {
    default: DEFAULT_MAX_MESSAGE_CHARS, min: 1, unit: 'characters', doc: 'a chat message longer than this is 413',
  }),
  usageFlushIntervalMs: integer('MYINTELL_USAGE_FLUSH_INTERVAL_MS', {
    default: DEFAULT_USAGE_FLUSH_INTERVAL_MS, min: 1, unit: 'ms', doc: 'how often token usage is reported',
  }),
  providerTimeoutMs: integer('MYINTELL_PROVIDER_TIMEOUT_MS', {
    default: DEFAULT_PROVIDER_TIMEOUT_MS, min: 1, unit: 'ms', doc: 'a provider silent this long (first byte or next chunk) fails the turn',
  }),
  contextWindowTokens: integer('MYINTELL_CONTEXT_WINDOW_TOKENS', {
    min: 256, unit: 'tokens', documentedDefault: 'the model\'s own', doc: 'overrides the model\'s context window',
  }),
  localTokenDelayMs: integer('MYINTELL_LOCAL_TOKEN_DELAY_MS', {
    default: 0, unit: 'ms', zero: 'as fast as the event loop allows', doc: 'pause between tokens of the offline local model',
  }),
  toolMaxSteps: integer('MYINTELL_TOOL_MAX_STEPS', {
    default: DEFAULT_TOOL_MAX_STEPS, min: 1, max: 100, unit: 'count', doc: 'model calls (steps) one turn may make; each round of tool calls is one',
  }),
  turnTimeoutMs: integer('MYINTELL_TURN_TIMEOUT_MS', {
    default: DEFAULT_TURN_TIMEOUT_MS, min: 1, unit: 'ms', doc: 'a whole turn, every step and tool call included, ends with a timeout after this',
  }),
  egress: custom('MYINTELL_EGRESS_ALLOW', {
    parse: egressPolicy, documentedDefault: 'none', doc: 'comma-separated hosts and CIDRs http_fetch and MCP servers may reach although private (e.g. 127.0.0.1)',
  }),
  workspaceDir: text('MYINTELL_WORKSPACE_DIR', { doc: "the agent's workspace directory; unset: the workspace tool is unavailable" }),
  workspaceQuotaBytes: integer('MYINTELL_WORKSPACE_QUOTA_BYTES', {
    default: DEFAULT_WORKSPACE_QUOTA_BYTES, min: 1, unit: 'bytes', doc: "the most the agent's workspace may hold",
  }),
  logLevel: choice('LOG_LEVEL', LOG_LEVELS, { default: 'info', doc: 'the pino level' }),
  ...otelSettings('myintell-agent'),
})

export function readSettings(env: Readonly<Record<string, string | undefined>>): RuntimeSettings {
  const { otlpEndpoint, otelServiceName, otlpHeaders, ...s } = RUNTIME_SETTINGS.parse(env)
  return {
    ...s,
    tracing: { endpoint: otlpEndpoint, serviceName: otelServiceName, headers: otlpHeaders ?? {} },
    config: s.config ?? null,
    controlToken: s.controlToken ?? null,
    platformUrl: s.platformUrl ?? null,
    contextWindowTokens: s.contextWindowTokens ?? null,
    egress: s.egress ?? egressPolicy(undefined),
    workspaceDir: s.workspaceDir ?? null,
  }
}

/** The log level to report bad configuration with: the configured one if that much parses. */
export function logLevelFor(env: Readonly<Record<string, string | undefined>>): LogLevel {
  return RUNTIME_SETTINGS.read(env).values.logLevel ?? 'info'
}
