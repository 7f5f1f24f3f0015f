// What the chat layer needs from a model provider: an AI SDK language model, the window it takes, and how failures
// read. Failures become ProviderErrors with a stable code (errors.ts), so every transport shows a clear error event.
import type { LanguageModelV4 } from '@ai-sdk/provider'
import type { ModelMessage } from 'ai'

/** One agent's model, built from its config and secrets by registry.ts. */
export interface AgentModel {
  /** The provider's name as the agent's config says it (`anthropic`, `ollama`, `local`, …). */
  readonly name: string
  readonly model: LanguageModelV4
  /** Tokens the model takes in one call (prompt + reply); the context builder fits history under it. */
  readonly contextWindowTokens: number
  /** Retries of one model call before any output (the AI SDK's maxRetries: 429, 5xx, connection failures). */
  readonly maxRetries: number
}

export type ProviderErrorCode =
  | 'rate_limited' // 429, after retries
  | 'overloaded' // 529 / 503, or the provider's overloaded error mid-stream
  | 'upstream_error' // other 5xx, or the provider could not be reached
  | 'timeout' // no first chunk or no next chunk within the provider timeout, or the turn's time bound
  | 'stream_error' // an error event in the middle of the stream, or a broken connection
  | 'auth_error' // 401/403: the provider key is missing or wrong
  | 'bad_request' // 400/404/422 from the provider
  | 'unknown_provider'

export class ProviderError extends Error {
  readonly code: ProviderErrorCode

  constructor(code: ProviderErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'ProviderError'
    this.code = code
  }
}

/** Rough token count (≈4 characters per token) for providers that report none and for context budgeting. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/** A message of the dialogue, as stored and as the context window counts it. */
export interface PromptMessage {
  role: 'user' | 'assistant'
  content: string
  /**
   * On an assistant reply: the tool calls and results of its turn, as AI SDK messages (an assistant message with
   * tool-call parts, then a tool message with their results, per step), sent before the reply's text.
   */
  toolSteps?: ModelMessage[]
}

/** What a message costs in the context window: its text and its tool steps. */
export function messageTokens(m: PromptMessage): number {
  return estimateTokens(m.content) + (m.toolSteps?.length ? estimateTokens(JSON.stringify(m.toolSteps)) : 0)
}
