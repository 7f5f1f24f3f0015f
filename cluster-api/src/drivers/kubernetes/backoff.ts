// Exponential backoff with full jitter, for retries against the API server, and the one sleep between them.

/** Delay before retry number `attempt` (0-based): random in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20))
  return Math.round(Math.random() * ceiling)
}

/**
 * Resolves after `ms`. When `signal` aborts it rejects at once with signal.reason and clears its timer, so an
 * aborted wait (a caller gone, the driver closed) leaves nothing running.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
