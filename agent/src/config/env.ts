// Runtime settings parsed once at start-up from the environment (wire/runtime.ts RUNTIME_ENV plus agent-only knobs).
// Bad configuration fails fast here, before the process listens.
import { RUNTIME_ENV } from '../../../wire/runtime.ts'
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { parseRuntimeConfig } from './runtime-config.ts'

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
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000
// Roughly 8k tokens: generous for chat, small enough that one message cannot exhaust a model's window.
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000
export const DEFAULT_USAGE_FLUSH_INTERVAL_MS = 5_000
// Long enough for a slow first token from a large model, short enough that a hung provider does not hold a drain.
export const DEFAULT_PROVIDER_TIMEOUT_MS = 60_000

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`)
  return value
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  let config: RuntimeConfig | null = null
  const rawConfig = env[RUNTIME_ENV.config]
  if (rawConfig) {
    let json: unknown
    try {
      json = JSON.parse(rawConfig)
    } catch {
      throw new Error(`${RUNTIME_ENV.config} is not valid JSON`)
    }
    const parsed = parseRuntimeConfig(json)
    if (!parsed.ok) throw new Error(`${RUNTIME_ENV.config} is invalid: ${parsed.issues.join('; ')}`)
    config = parsed.config
  }
  const port = intFrom(env, RUNTIME_ENV.port, 8080)
  if (port > 65_535) throw new Error(`${RUNTIME_ENV.port} must be a port number`)
  const platformUrl = env[RUNTIME_ENV.platformUrl] || null
  if (platformUrl) new URL(platformUrl) // throws on a malformed URL: fail at start-up, not at the first flush
  return {
    port,
    host: env[RUNTIME_ENV.host] || '127.0.0.1',
    config,
    controlToken: env[RUNTIME_ENV.controlToken] || null,
    platformUrl,
    drainTimeoutMs: intFrom(env, RUNTIME_ENV.drainTimeoutMs, DEFAULT_DRAIN_TIMEOUT_MS),
    maxMessageChars: intFrom(env, 'MYINTELL_MAX_MESSAGE_CHARS', DEFAULT_MAX_MESSAGE_CHARS, 1),
    usageFlushIntervalMs: intFrom(env, 'MYINTELL_USAGE_FLUSH_INTERVAL_MS', DEFAULT_USAGE_FLUSH_INTERVAL_MS, 1),
    providerTimeoutMs: intFrom(env, 'MYINTELL_PROVIDER_TIMEOUT_MS', DEFAULT_PROVIDER_TIMEOUT_MS, 1),
    contextWindowTokens: env.MYINTELL_CONTEXT_WINDOW_TOKENS ? intFrom(env, 'MYINTELL_CONTEXT_WINDOW_TOKENS', 0, 256) : null,
    localTokenDelayMs: intFrom(env, 'MYINTELL_LOCAL_TOKEN_DELAY_MS', 0),
  }
}
