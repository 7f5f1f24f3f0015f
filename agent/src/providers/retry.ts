// Retries a provider call that failed before producing any output (429 with retry-after, 5xx, connect timeouts).
// Once text has been yielded a retry would repeat it, so mid-stream failures go straight to the caller.
import { ProviderError } from './types.ts'
import type { ModelEvent, ModelProvider, ModelRequest } from './types.ts'

export interface RetryOptions {
  /** Total attempts including the first. */
  maxAttempts: number
  /** First backoff (ms), doubled per attempt, with jitter; a retry-after from the provider wins. */
  baseDelayMs: number
  /** Never wait longer than this for one retry (ms), whatever retry-after says. */
  maxDelayMs: number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 10_000 }

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    }, { once: true })
  })
}

export function backoffMs(attempt: number, err: ProviderError, opts: RetryOptions): number {
  if (err.retryAfterMs !== null) return Math.min(err.retryAfterMs, opts.maxDelayMs)
  const exp = opts.baseDelayMs * 2 ** (attempt - 1)
  return Math.min(exp / 2 + Math.random() * (exp / 2), opts.maxDelayMs)
}

export function withRetry(provider: ModelProvider, opts: RetryOptions = DEFAULT_RETRY, onRetry?: (attempt: number, err: ProviderError, delayMs: number) => void): ModelProvider {
  const wait = opts.sleep ?? sleep
  return {
    name: provider.name,
    contextWindowTokens: (model) => provider.contextWindowTokens(model),
    async *stream(req: ModelRequest): AsyncGenerator<ModelEvent> {
      for (let attempt = 1; ; attempt++) {
        let produced = false
        try {
          for await (const event of provider.stream(req)) {
            produced = true
            yield event
          }
          return
        } catch (err) {
          if (!(err instanceof ProviderError) || !err.retryable || produced || attempt >= opts.maxAttempts || req.signal?.aborted) throw err
          const delay = backoffMs(attempt, err, opts)
          onRetry?.(attempt, err, delay)
          await wait(delay, req.signal)
        }
      }
    },
  }
}
