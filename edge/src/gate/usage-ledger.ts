// Activity and usage for one agent, kept in the gate's storage and flushed to the cluster-api's ingest in
// batches. A batch gets its id before the first attempt and keeps it on every retry, so a flush that
// reached the cluster-api but lost its answer is counted once.

import type { IngestBatch, IngestItem, IngestResult } from '../../../wire/internal-api.ts'
import type { UsageDelta } from './protocol.ts'

/** A failed flush is retried after interval × 2^attempts, capped here: the cluster-api may be down a while. */
export const FLUSH_RETRY_MAX_MS = 60_000

/** What the gate counts itself (tokens come from the runtime, open streams are read at flush time). */
type Pending = Omit<IngestItem, 'tokensIn' | 'tokensOut' | 'openStreams'> & { lastActiveSecond: number }

interface InFlight {
  batch: IngestBatch
  attempts: number
}

interface LedgerSnapshot {
  pending: Pending | null
  inflight: InFlight | null
  openStreams: number
  flushAt: number | null
}

const STORAGE_KEY = 'usage'

export class UsageLedger {
  readonly #storage: DurableObjectStorage
  readonly #intervalMs: number
  #s: LedgerSnapshot = { pending: null, inflight: null, openStreams: 0, flushAt: null }
  /** The ids the heartbeat item carries when a stream keeps an otherwise quiet agent busy. */
  #ids: { agentId: string; tenantId: string } | null = null

  constructor(storage: DurableObjectStorage, intervalMs: number) {
    this.#storage = storage
    this.#intervalMs = intervalMs
  }

  async load(): Promise<void> {
    const stored = await this.#storage.get<LedgerSnapshot>(STORAGE_KEY)
    if (stored) this.#s = stored
    const ids = this.#s.pending ?? this.#s.inflight?.batch.items[0]
    if (ids) this.#ids = { agentId: ids.agentId, tenantId: ids.tenantId }
  }

  get openStreams(): number {
    return this.#s.openStreams
  }

  /** When the next flush (or retry) is due, or null when there is nothing to send. */
  get flushAt(): number | null {
    return this.#s.flushAt
  }

  get pendingRequests(): number {
    return this.#s.pending?.requests ?? 0
  }

  get inflightBatchId(): string | null {
    return this.#s.inflight?.batch.batchId ?? null
  }

  #pending(agentId: string, tenantId: string, now: number): Pending {
    this.#ids = { agentId, tenantId }
    this.#s.pending ??= {
      agentId, tenantId, from: now, to: now, requests: 0, bytesIn: 0, bytesOut: 0, wakes: 0, coldStartMs: 0,
      activeSeconds: 0, lastActiveSecond: -1,
    }
    const p = this.#s.pending
    p.to = now
    const second = Math.floor(now / 1000)
    if (second !== p.lastActiveSecond) {
      p.activeSeconds += 1
      p.lastActiveSecond = second
    }
    this.#s.flushAt ??= now + this.#intervalMs
    return p
  }

  async add(delta: UsageDelta, now = Date.now()): Promise<void> {
    const p = this.#pending(delta.agentId, delta.tenantId, now)
    p.requests += delta.requests
    p.bytesIn += delta.bytesIn
    p.bytesOut += delta.bytesOut
    this.#s.openStreams = Math.max(0, this.#s.openStreams + delta.streamsOpened - delta.streamsClosed)
    await this.#save()
  }

  async addWake(agentId: string, tenantId: string, coldStartMs: number, now = Date.now(), options?: DurableObjectPutOptions): Promise<void> {
    const p = this.#pending(agentId, tenantId, now)
    p.wakes += 1
    p.coldStartMs += coldStartMs
    await this.#save(options)
  }

  /** Sends the batch in flight (a retry) or the pending one. Never throws: a failure schedules a retry. */
  async flush(ingest: (batch: IngestBatch) => Promise<IngestResult>, now = Date.now()): Promise<void> {
    if (!this.#s.inflight) {
      const item = this.#nextItem(now)
      if (!item) {
        this.#s.flushAt = null
        await this.#save()
        return
      }
      this.#s.inflight = { batch: { batchId: crypto.randomUUID(), items: [item] }, attempts: 0 }
      this.#s.pending = null
      await this.#save()
    }
    const inflight = this.#s.inflight
    try {
      await ingest(inflight.batch)
      this.#s.inflight = null
      const more = this.#s.pending !== null || this.#s.openStreams > 0
      this.#s.flushAt = more ? now + this.#intervalMs : null
    } catch {
      inflight.attempts += 1
      this.#s.flushAt = now + Math.min(this.#intervalMs * 2 ** inflight.attempts, FLUSH_RETRY_MAX_MS)
    }
    await this.#save()
  }

  #nextItem(now: number): IngestItem | null {
    const p = this.#s.pending
    const open = this.#s.openStreams
    if (!p && (open === 0 || !this.#ids)) return null
    // With only open streams and no new requests, a heartbeat item still says "busy": keeps the agent awake.
    const ids = p ?? this.#ids!
    const from = p?.from ?? now - this.#intervalMs
    return {
      agentId: ids.agentId, tenantId: ids.tenantId, from, to: now,
      requests: p?.requests ?? 0, bytesIn: p?.bytesIn ?? 0, bytesOut: p?.bytesOut ?? 0,
      wakes: p?.wakes ?? 0, coldStartMs: p?.coldStartMs ?? 0, tokensIn: 0, tokensOut: 0,
      activeSeconds: open > 0 ? Math.max(p?.activeSeconds ?? 0, Math.ceil((now - from) / 1000)) : (p?.activeSeconds ?? 0),
      openStreams: open,
    }
  }

  async #save(options?: DurableObjectPutOptions): Promise<void> {
    await this.#storage.put(STORAGE_KEY, this.#s, options)
  }
}
