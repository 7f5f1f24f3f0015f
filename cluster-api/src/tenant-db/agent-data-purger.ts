// Pays the purges deleted agents owe their tenant databases (db/schema/agent-data-purges.ts): once right after
// the delete, again once the agent's last writers are gone, and until it succeeds when the database is away —
// on a loop, which also picks up at start-up whatever a stopped process left owed.

import type { Logger } from 'pino'
import type { Db } from '../db/types.ts'
import { findOwedPurge, recordPurgeFailure, recordSweep, takeDuePurges, type OwedPurge } from '../db/queries/agent-data-purges.ts'
import { purgeAgentData } from './agent-data.ts'

/** How often the loop looks for due purges. */
export const PURGE_INTERVAL_MS = 30_000
/**
 * The second sweep's delay: longer than the edge's longest route cache (60 s in a gate) plus a pod's termination
 * grace (30 s), so rows a still-running runtime wrote after the first sweep go too.
 */
export const SWEEP_AGAIN_AFTER_MS = 120_000
/** The request's own attempt holds the purge this long; after it (the process died) any purger takes it up. */
export const REQUEST_LEASE_MS = 60_000
/** A purge taken by the loop is held this long: more than one attempt can take (connect 5 s, queries 30 s). */
const LOOP_LEASE_MS = 120_000
/** The DELETE request waits at most this long for its purge; a slower one finishes (or is retried) behind it. */
export const REQUEST_WAIT_MS = 10_000
/** Retries back off from 30 s, doubling, to at most an hour: a tenant database away for days is not hammered. */
const RETRY_FIRST_MS = 30_000
const RETRY_MAX_MS = 3_600_000
/** Purges taken per pass: bounds a pass's time; the rest wait for the next one. */
const BATCH = 20

export interface AgentDataPurgerOptions {
  db: Db
  /** The tenant database's URL (provisioned on first need: a purge may be a tenant database's first use). */
  tenantDatabaseUrl: (tenant: { id: string; slug: string }) => Promise<string>
  logger: Logger
  intervalMs?: number
}

export class AgentDataPurger {
  readonly #options: AgentDataPurgerOptions
  readonly #inFlight = new Set<Promise<unknown>>()
  #timer: ReturnType<typeof setTimeout> | null = null
  #closed = false

  constructor(options: AgentDataPurgerOptions) {
    this.#options = options
  }

  /** Runs a pass now (what a stopped process left owed), then every interval. */
  start(): void {
    if (this.#closed || this.#timer) return
    const loop = () => {
      this.#timer = null
      this.#track(this.runDue()).finally(() => {
        if (!this.#closed) this.#timer = setTimeout(loop, this.#options.intervalMs ?? PURGE_INTERVAL_MS).unref()
      })
    }
    loop()
  }

  /**
   * The delete's own first sweep, right after the agent's workload was removed. Waits at most REQUEST_WAIT_MS and
   * never throws: the purge is recorded, so what does not happen now happens on the loop.
   */
  async afterDelete(agentId: string): Promise<void> {
    const attempt = this.#track(findOwedPurge(this.#options.db, agentId).then((owed) => (owed ? this.#sweep(owed) : undefined)))
      .catch((error: unknown) => this.#options.logger.warn({ err: error, agentId }, 'agent data purge: could not start; the loop retries'))
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([attempt, new Promise((resolve) => { timer = setTimeout(resolve, REQUEST_WAIT_MS) })])
    clearTimeout(timer)
  }

  /** One pass over the due purges; answers how many it took. Never throws (the next pass tries again). */
  async runDue(): Promise<number> {
    let owed: OwedPurge[]
    try {
      owed = await takeDuePurges(this.#options.db, BATCH, LOOP_LEASE_MS)
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'agent data purge: could not read the owed purges; next pass retries')
      return 0
    }
    for (const purge of owed) {
      if (this.#closed) break
      await this.#sweep(purge)
    }
    return owed.length
  }

  /** Stops the loop and waits for the attempts under way (the platform database closes after this). */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await Promise.allSettled([...this.#inFlight])
  }

  async #sweep(purge: OwedPurge): Promise<void> {
    const { db, logger } = this.#options
    try {
      const url = await this.#options.tenantDatabaseUrl({ id: purge.tenantId, slug: purge.tenantSlug })
      const rows = await purgeAgentData(url, purge.agentId)
      const state = await recordSweep(db, purge.agentId, SWEEP_AGAIN_AFTER_MS)
      logger.info({ agentId: purge.agentId, tenantId: purge.tenantId, rows, state }, 'agent data purged from the tenant database')
    } catch (error) {
      const retryInMs = Math.min(RETRY_FIRST_MS * 2 ** purge.failures, RETRY_MAX_MS)
      logger.warn({ agentId: purge.agentId, tenantId: purge.tenantId, reason: (error as Error).message, retryInMs }, 'agent data purge failed; retrying later')
      // Should this fail too (the platform database is away), the lease runs out and the purge comes due anyway.
      await recordPurgeFailure(db, purge.agentId, (error as Error).message || String(error), retryInMs).catch(() => {})
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work)
    void work.finally(() => this.#inFlight.delete(work)).catch(() => {})
    return work
  }
}
