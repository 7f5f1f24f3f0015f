// A small per-isolate cache with expiry and a size bound (oldest entry goes first).
// Isolates are short-lived and many, so these caches only ever save round trips; nothing relies on them.

export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: K, value: V, ttlMs: number, now = Date.now()): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: now + ttlMs })
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }
}

/** Runs `load` once for concurrent callers asking for the same key. */
export class SingleFlight<K, V> {
  readonly #running = new Map<K, Promise<V>>()

  run(key: K, load: () => Promise<V>): Promise<V> {
    let running = this.#running.get(key)
    if (!running) {
      running = load().finally(() => this.#running.delete(key))
      this.#running.set(key, running)
    }
    return running
  }
}
