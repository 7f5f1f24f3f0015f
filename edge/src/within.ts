// A promise raced against a cancellable workerd timer: the one way the edge bounds a wait (a held request's
// shared wait, one waitForWake round, a usage push). The timer is cancelled however the race ends, so no
// timer outlives its wait.

/** What `within` gives when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out')

/** `pending`'s value (or its rejection) if it settles within `ms`, else TIMED_OUT. */
export async function within<T>(pending: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  const timer = new AbortController()
  const expired = scheduler.wait(ms, { signal: timer.signal }).then((): typeof TIMED_OUT => TIMED_OUT, (): typeof TIMED_OUT => TIMED_OUT)
  try {
    return await Promise.race([pending, expired])
  } finally {
    timer.abort()
  }
}
