// One interface for every model provider: a streaming call that yields text deltas and, at the end, token usage.
// Failures are ProviderErrors with a stable code, so the chat layer can show the user a clear error event.

export interface PromptMessage {
  role: 'user' | 'assistant'
  content: string
}

export interface ModelRequest {
  model: string
  system: string
  messages: PromptMessage[]
  temperature?: number
  maxOutputTokens: number
  signal?: AbortSignal
}

export type ModelEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number }

export interface ModelProvider {
  readonly name: string
  /** Tokens the model can take in one call (prompt + reply); the context builder fits history under it. */
  contextWindowTokens(model: string): number
  stream(request: ModelRequest): AsyncIterable<ModelEvent>
}

export type ProviderErrorCode =
  | 'rate_limited' // 429, after retries
  | 'overloaded' // 529 / 503
  | 'upstream_error' // other 5xx
  | 'timeout' // no first byte or no chunk within the timeout
  | 'stream_error' // an error event in the middle of the stream, or a broken connection
  | 'auth_error' // 401/403: the provider key is missing or wrong
  | 'bad_request' // 400/404/422 from the provider
  | 'unknown_provider'

export class ProviderError extends Error {
  readonly code: ProviderErrorCode
  /** Worth trying again (before any output was produced). */
  readonly retryable: boolean
  /** From `retry-after`, when the provider said how long to wait. */
  readonly retryAfterMs: number | null

  constructor(code: ProviderErrorCode, message: string, opts: { retryable?: boolean; retryAfterMs?: number | null } = {}) {
    super(message)
    this.name = 'ProviderError'
    this.code = code
    this.retryable = opts.retryable ?? false
    this.retryAfterMs = opts.retryAfterMs ?? null
  }
}

/** Rough token count (≈4 characters per token) for providers that report none and for context budgeting. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}
