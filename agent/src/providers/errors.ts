// Maps whatever a model call fails with (the AI SDK's APICallError and RetryError, a provider's error event in the
// stream, a broken connection, a timeout) onto our stable ProviderErrorCodes. The code is what users and logs see.
import { APICallError } from '@ai-sdk/provider'
import type { RetryError } from 'ai'
import { ProviderError, type ProviderErrorCode } from './types.ts'

function codeForStatus(status: number): ProviderErrorCode {
  if (status === 429) return 'rate_limited'
  if (status === 529 || status === 503) return 'overloaded'
  if (status >= 500) return 'upstream_error'
  if (status === 401 || status === 403) return 'auth_error'
  return 'bad_request'
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return name === 'TimeoutError' || name === 'AbortError' || (err instanceof Error && /timed? ?out/i.test(err.message))
}

/**
 * `err`: what the call threw or the stream's `error` part carried. A provider's own error event arrives as its raw
 * object (Anthropic `{ type: 'overloaded_error', message }`, OpenAI `{ type: 'server_error', message }`).
 */
export function toProviderError(err: unknown, provider: string): ProviderError {
  if (err instanceof ProviderError) return err
  // By name, not RetryError.isInstance: `ai` is loaded on the first turn only (tool-loop.ts), not for this check.
  if ((err as { name?: unknown } | null)?.name === 'AI_RetryError') return toProviderError((err as RetryError).lastError, provider)
  if (APICallError.isInstance(err)) {
    if (err.statusCode === undefined) {
      return isTimeout(err.cause) ? new ProviderError('timeout', `${provider} did not answer in time`, { cause: err })
        : new ProviderError('upstream_error', `${provider} could not be reached: ${err.message}`, { cause: err })
    }
    // A 200 whose stream broke off or could not be read ("Failed to process successful response").
    if (err.statusCode < 300) return new ProviderError('stream_error', `${provider} broke off its answer: ${err.message}`, { cause: err })
    return new ProviderError(codeForStatus(err.statusCode), `${provider} answered ${err.statusCode}: ${err.message}`, { cause: err })
  }
  if (isTimeout(err)) return new ProviderError('timeout', `${provider} did not answer in time`, { cause: err })
  const type = String((err as { type?: unknown } | null)?.type ?? '')
  const message = String((err as { message?: unknown } | null)?.message ?? err)
  if (type === 'overloaded_error' || /overloaded/i.test(type)) return new ProviderError('overloaded', `${provider} stream error (${type}): ${message}`)
  return new ProviderError('stream_error', `${provider} stream error${type ? ` (${type})` : ''}: ${message}`, { cause: err })
}
