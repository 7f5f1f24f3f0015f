// Remembers the nonces of verified signatures for the signature window, so a captured request cannot be sent
// again. Bounded: when full it forgets the oldest nonces and from then on refuses anything signed no later than
// them, so a forgotten nonce can never be replayed (it is refused as too old instead).

import { MAX_SIGNATURE_AGE_MS } from './signature.ts'

/** Nonces kept by default: a minute of 3,000 requests per second, ~20 MB at worst. */
export const REPLAY_GUARD_MAX_ENTRIES = 200_000

export class ReplayGuard {
  readonly #maxEntries: number
  readonly #windowMs: number
  /** nonce → signed-at (epoch ms); Map order is insertion order, which is close to signing order. */
  readonly #seen = new Map<string, number>()
  /** Signatures made at or before this are refused: their nonce may have been forgotten. */
  #floor = -Infinity

  constructor(maxEntries = REPLAY_GUARD_MAX_ENTRIES, windowMs = MAX_SIGNATURE_AGE_MS) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('ReplayGuard requires maxEntries >= 1')
    this.#maxEntries = maxEntries
    this.#windowMs = windowMs
  }

  /** true the first time `nonce` is presented (signed at `signedAt`) within the window; false for a replay. */
  claim(nonce: string, signedAt: number, now = Date.now()): boolean {
    this.#expire(now)
    if (signedAt <= this.#floor || this.#seen.has(nonce)) return false
    this.#seen.set(nonce, signedAt)
    while (this.#seen.size > this.#maxEntries) {
      const [oldest, at] = this.#seen.entries().next().value!
      this.#seen.delete(oldest)
      this.#floor = Math.max(this.#floor, at)
    }
    return true
  }

  get size(): number {
    return this.#seen.size
  }

  #expire(now: number): void {
    // A nonce signed more than a window ago (plus the allowed skew) can no longer verify: forget it.
    const horizon = now - 2 * this.#windowMs
    for (const [nonce, at] of this.#seen) {
      if (at > horizon) break
      this.#seen.delete(nonce)
    }
  }
}
