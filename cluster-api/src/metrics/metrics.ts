// GET /metrics in the Prometheus text format, on prom-client: requests and their duration by route family, wakes and
// their duration by driver and warm-pool outcome, the status long poll, agents by workload state, and the process's own
// metrics (CPU, memory, GC, event loop). No per-tenant or per-agent labels: one series per tenant would not scale.

import type { Context, MiddlewareHandler } from 'hono'
import { sql } from 'drizzle-orm'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Db } from '../db/types.ts'
import { agents } from '../db/schema/index.ts'
import type { StartReport } from '../drivers/types.ts'
import { routeFamily } from './route-family.ts'

/** Why a wake did not start an agent; a fixed set of label values. */
export type WakeFailure = 'agent_failed' | 'paused' | 'driver_error' | 'start_failed'
/** How a status long poll ended. */
export type StatusWaitOutcome = 'ready' | 'failed' | 'timeout' | 'aborted'

/** What the workload lifecycle (workloads.ts) tells the metrics; PlatformMetrics implements it. */
export interface WakeObserver {
  /** A wake reached the driver (after coalescing: concurrent wakes of one agent are one). */
  wakeRequested(driver: string): void
  wakeFailed(driver: string, reason: WakeFailure): void
  /** The driver finished starting an agent, well or not (WorkloadDriver.watchStarts). */
  started(driver: string, report: StartReport): void
  statusWaited(seconds: number, outcome: StatusWaitOutcome): void
}

/** A wake takes from tens of milliseconds (warm pool) to a minute (an image pull). */
const WAKE_BUCKETS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** A long poll ends when the agent is ready or after at most MAX_STATUS_WAIT_MS (30 s). */
const STATUS_WAIT_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30]
const REQUEST_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export class PlatformMetrics implements WakeObserver {
  /** One registry per app: tests build several apps in one process, and prom-client's global one would collide. */
  readonly registry = new Registry()
  readonly #requests: Counter<'route' | 'status'>
  readonly #requestSeconds: Histogram<'route' | 'status'>
  readonly #wakes: Counter<'driver'>
  readonly #wakeFailures: Counter<'driver' | 'reason'>
  readonly #starts: Counter<'driver' | 'warm_pool'>
  readonly #wakeSeconds: Histogram<'driver' | 'warm_pool'>
  readonly #statusWaitSeconds: Histogram<'outcome'>

  constructor(db: Db | null) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry })
    this.#requests = new Counter({
      name: 'myintell_http_requests_total', help: 'Requests answered by the cluster-api, by route family and status class.',
      labelNames: ['route', 'status'], registers,
    })
    this.#requestSeconds = new Histogram({
      name: 'myintell_http_request_duration_seconds', help: 'Time to answer a request (to the response head), by route family and status class.',
      labelNames: ['route', 'status'], buckets: REQUEST_BUCKETS_S, registers,
    })
    this.#wakes = new Counter({ name: 'myintell_wakes_total', help: 'Wakes passed to the workload driver (concurrent wakes of one agent count once).', labelNames: ['driver'], registers })
    this.#wakeFailures = new Counter({
      name: 'myintell_wake_failures_total', help: 'Wakes that did not start an agent: refused (failed or paused agent), a driver error, a start that failed.',
      labelNames: ['driver', 'reason'], registers,
    })
    this.#starts = new Counter({
      name: 'myintell_agent_starts_total', help: 'Agent starts the driver finished, by warm-pool outcome (hit, miss, none: no pool).',
      labelNames: ['driver', 'warm_pool'], registers,
    })
    this.#wakeSeconds = new Histogram({
      name: 'myintell_wake_duration_seconds', help: 'From the start of a wake to the agent being ready, by driver and warm-pool outcome.',
      labelNames: ['driver', 'warm_pool'], buckets: WAKE_BUCKETS_S, registers,
    })
    this.#statusWaitSeconds = new Histogram({
      name: 'myintell_status_wait_seconds', help: 'How long a status long poll (?waitMs=) held its request, by how it ended.',
      labelNames: ['outcome'], buckets: STATUS_WAIT_BUCKETS_S, registers,
    })
    if (db) {
      new Gauge({
        name: 'myintell_agents', help: 'Agents by last known workload state.', labelNames: ['state'], registers,
        async collect() {
          const states = await db.select({ state: agents.workloadState, count: sql<number>`count(*)::int` }).from(agents).groupBy(agents.workloadState)
          this.reset()
          for (const row of states) this.set({ state: row.state }, row.count)
        },
      })
    }
    const startedAt = Date.now()
    new Gauge({
      name: 'process_uptime_seconds', help: 'Seconds since the cluster-api started.', registers,
      collect() {
        this.set(Math.round((Date.now() - startedAt) / 1000))
      },
    })
  }

  middleware(): MiddlewareHandler {
    const requests = this.#requests
    const seconds = this.#requestSeconds
    return async function countRequests(c, next) {
      const started = performance.now()
      await next()
      const labels = { route: routeFamily(c.req.path), status: `${Math.floor(c.res.status / 100)}xx` }
      requests.inc(labels)
      seconds.observe(labels, (performance.now() - started) / 1000)
    }
  }

  wakeRequested(driver: string): void {
    this.#wakes.inc({ driver })
  }

  wakeFailed(driver: string, reason: WakeFailure): void {
    this.#wakeFailures.inc({ driver, reason })
  }

  started(driver: string, report: StartReport): void {
    if (!report.ok) return this.wakeFailed(driver, 'start_failed')
    this.#starts.inc({ driver, warm_pool: report.warmPool })
    this.#wakeSeconds.observe({ driver, warm_pool: report.warmPool }, report.durationMs / 1000)
  }

  statusWaited(seconds: number, outcome: StatusWaitOutcome): void {
    this.#statusWaitSeconds.observe({ outcome }, seconds)
  }

  handler(): (c: Context) => Promise<Response> {
    return async (c) => c.body(await this.registry.metrics(), 200, { 'content-type': this.registry.contentType })
  }
}
