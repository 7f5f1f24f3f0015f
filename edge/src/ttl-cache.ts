// Small per-isolate caches with expiry and a size bound (oldest entry goes first).
// Isolates are short-lived and many, so these caches only ever save round trips; nothing relies on them.

interface Entry<V> {
  value: V
  /** Until then the entry is fresh. */
  freshUntil: number
  /** Until then a stale entry may still be served while a refresh runs; then it is gone. */
  expiresAt: number
}

export class TtlCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  /** The value while it is fresh. */
  get(key: K, now = Date.now()): V | undefined {
    const hit = this.lookup(key, now)
    return hit && !hit.stale ? hit.value : undefined
  }

  /** The value while it is fresh, or stale but not yet expired (`stale: true`). */
  lookup(key: K, now = Date.now()): { value: V; stale: boolean } | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return { value: entry.value, stale: entry.freshUntil <= now }
  }

  /** Fresh for `ttlMs`, then servable as stale for `staleMs` more. */
  set(key: K, value: V, ttlMs: number, now = Date.now(), staleMs = 0): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, freshUntil: now + ttlMs, expiresAt: now + ttlMs + staleMs })
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

export interface Freshness<V> {
  /** How long a loaded value is fresh. */
  freshMs(value: V): number
  /** How long after that it may still be served while one refresh runs in the background (0: never). */
  staleMs(value: V): number
}

/**
 * Stale-while-revalidate: a fresh value is served as is; a stale one is served while ONE background load
 * replaces it (its failure keeps the stale value until it expires); a missing or expired one is loaded while
 * the caller waits. So a change upstream reaches this isolate within `freshMs` plus one load, and no request
 * waits for a refresh of something it already had.
 */
export class RefreshingCache<K, V> {
  readonly #cache: TtlCache<K, V>
  readonly #loads = new SingleFlight<K, V>()
  readonly #freshness: Freshness<V>

  constructor(maxEntries: number, freshness: Freshness<V>) {
    this.#cache = new TtlCache(maxEntries)
    this.#freshness = freshness
  }

  /** `background` keeps a refresh alive past the request that started it (ctx.waitUntil). */
  async get(key: K, load: () => Promise<V>, background: (refresh: Promise<unknown>) => void, now = Date.now()): Promise<V> {
    const hit = this.#cache.lookup(key, now)
    if (hit && !hit.stale) return hit.value
    const loading = this.#loads.run(key, async () => {
      const value = await load()
      this.#cache.set(key, value, this.#freshness.freshMs(value), Date.now(), this.#freshness.staleMs(value))
      return value
    })
    if (!hit) return loading
    background(loading.catch(() => undefined))
    return hit.value
  }
}
