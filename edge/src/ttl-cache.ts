// Small per-isolate caches with expiry and a size bound (oldest entry goes first).
// Isolates are short-lived and many, so these caches only ever save round trips; nothing relies on them.

import { TIMED_OUT, within } from './within.ts'
import { LOAD_GIVE_UP_MS } from './budgets.ts'

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

export interface Freshness<V> {
  /** How long a loaded value is fresh. */
  freshMs(value: V): number
  /** How old it may get, served while one refresh runs in the background; then it is gone (≤ freshMs: never stale). */
  maxAgeMs(value: V): number
  /** A load not settled after this long is given up; default LOAD_GIVE_UP_MS. */
  giveUpMs?: number
}

/** Failed background refreshes are logged at most this often per cache. */
const REFRESH_ERROR_LOG_INTERVAL_MS = 10_000

/**
 * One load per key at a time, shared by its callers. A load older than `giveUpMs` is abandoned for a new one (in
 * workerd a promise made by a request whose client left may never settle). A load is told when it started and can
 * ask whether it is still the current one when it answers: only the current one may write what it found, since an
 * abandoned load that answers late may be older than its successor's answer.
 */
export class LatestLoads<K, V> {
  readonly #loads = new Map<K, { loading: Promise<V>; startedAt: number }>()
  readonly #maxEntries: number
  readonly #giveUpMs: number

  constructor(maxEntries: number, giveUpMs: number) {
    this.#maxEntries = maxEntries
    this.#giveUpMs = giveUpMs
  }

  run(key: K, load: (isCurrent: () => boolean, startedAt: number) => Promise<V>): Promise<V> {
    const running = this.#loads.get(key)
    if (running && Date.now() - running.startedAt < this.#giveUpMs) return running.loading
    const startedAt = Date.now()
    const entry: { loading: Promise<V>; startedAt: number } = { loading: Promise.resolve() as Promise<V>, startedAt }
    this.#loads.delete(key)
    this.#loads.set(key, entry)
    // Bounded: only loads that never settle could pile up here.
    if (this.#loads.size > this.#maxEntries) this.#loads.delete(this.#loads.keys().next().value!)
    entry.loading = load(() => this.#loads.get(key) === entry, startedAt)
    void entry.loading.then(() => undefined, () => undefined).finally(() => {
      if (this.#loads.get(key) === entry) this.#loads.delete(key)
    })
    return entry.loading
  }
}

/**
 * Stale-while-revalidate: a fresh value is served as is; a stale one is served while ONE background load
 * replaces it (its failure keeps the stale value until its max age); a missing or too old one is loaded while
 * the caller waits. So a change upstream reaches this isolate within `freshMs` plus one load under traffic,
 * and never later than `maxAgeMs`; no request waits for a refresh of something it already had.
 */
export class RefreshingCache<K, V> {
  readonly #name: string
  readonly #cache: TtlCache<K, V>
  readonly #loads: LatestLoads<K, V>
  readonly #freshness: Freshness<V>
  #lastErrorLog = 0

  /** `name` says what is cached, in the log line of a failed refresh. */
  constructor(name: string, maxEntries: number, freshness: Freshness<V>) {
    this.#name = name
    this.#cache = new TtlCache(maxEntries)
    this.#loads = new LatestLoads(maxEntries, freshness.giveUpMs ?? LOAD_GIVE_UP_MS)
    this.#freshness = freshness
  }

  /** `background` keeps a load alive past the request that started it (ctx.waitUntil). */
  async get(key: K, load: () => Promise<V>, background: (refresh: Promise<unknown>) => void, now = Date.now()): Promise<V> {
    const hit = this.#cache.lookup(key, now)
    if (hit && !hit.stale) return hit.value
    const loading = this.#load(key, load)
    if (!hit) {
      // Other requests may share this load: it must outlive the request that started it.
      extend(background, loading.catch(() => undefined))
      const value = await within(loading, this.#giveUpMs)
      if (value === TIMED_OUT) throw new Error(`${this.#name}: the lookup did not finish within ${this.#giveUpMs} ms`)
      return value
    }
    extend(background, loading.catch((error: unknown) => {
      if (Date.now() - this.#lastErrorLog >= REFRESH_ERROR_LOG_INTERVAL_MS) {
        this.#lastErrorLog = Date.now()
        console.error(`edge: refreshing a cached ${this.#name} failed; serving the cached answer`, error)
      }
    }))
    return hit.value
  }

  get #giveUpMs(): number {
    return this.#freshness.giveUpMs ?? LOAD_GIVE_UP_MS
  }

  /** The shared load of `key`; it writes the cache only while current, fresh from when it started. */
  #load(key: K, load: () => Promise<V>): Promise<V> {
    return this.#loads.run(key, async (isCurrent, startedAt) => {
      const value = await load()
      if (isCurrent()) {
        const freshMs = this.#freshness.freshMs(value)
        this.#cache.set(key, value, freshMs, startedAt, Math.max(0, this.#freshness.maxAgeMs(value) - freshMs))
      }
      return value
    })
  }
}

/** Hands `work` to the request's waitUntil; a request that can no longer extend itself leaves it running as is. */
function extend(background: (work: Promise<unknown>) => void, work: Promise<unknown>): void {
  try {
    background(work)
  } catch {
    // no request context to extend (it ended): the work still runs as long as the isolate does
  }
}
