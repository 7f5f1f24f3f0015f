// Runs and schedules of one cluster-api process, assembled: the durable queue (pg-boss) and its workers, the
// schedule loop, and the feed that keeps event streams prompt. Started by server.ts once the driver is up, stopped
// before it (the platform's stop order: HTTP server, schedules, runs in progress, driver, database).

import type { Logger } from 'pino'
import type { RunsSettings } from '../config.ts'
import type { ApiDeps } from '../context.ts'
import type { Workloads } from '../workloads/workloads.ts'
import { Scheduler } from '../schedules/scheduler.ts'
import { RunFeed } from './run-feed.ts'
import { RunQueue } from './run-queue.ts'
import { TurnClient } from './turn-client.ts'

/** How long a stopping process lets the runs in progress finish; what is left is retried by another process. */
export const RUN_DRAIN_MS = 5_000
const CANCEL_CHECK_MS = 1_000

export const DEFAULT_RUNS_SETTINGS: RunsSettings = {
  concurrency: 4, maxAttempts: 3, retryDelayS: 2, wakeTimeoutMs: 30_000, originUrl: undefined, scheduleTickMs: 1_000, schedulesPerAgent: 50,
}

export class Runs {
  readonly queue: RunQueue
  readonly scheduler: Scheduler

  constructor(options: { deps: ApiDeps; workloads: Workloads; databaseUrl: string; settings: RunsSettings; logger: Logger }) {
    const { deps, settings } = options
    const turns = new TurnClient(deps.signingSecret, () => settings.originUrl ?? ingressOf(deps.driver))
    this.queue = new RunQueue({
      databaseUrl: options.databaseUrl, concurrency: settings.concurrency, maxAttempts: settings.maxAttempts, retryDelayS: settings.retryDelayS,
      logger: options.logger,
      execute: {
        db: deps.db, workloads: options.workloads, turns, feed: new RunFeed(), logger: options.logger,
        wakeTimeoutMs: settings.wakeTimeoutMs, cancelCheckMs: CANCEL_CHECK_MS,
      },
    })
    this.scheduler = new Scheduler({ db: deps.db, queue: this.queue, tickMs: settings.scheduleTickMs, logger: options.logger })
  }

  async start(): Promise<void> {
    await this.queue.start()
    this.scheduler.start()
  }

  async stop(): Promise<void> {
    await this.scheduler.stop()
    await this.queue.stop(RUN_DRAIN_MS)
  }
}

/** The local driver's ingress (the stand-in for Traefik); other drivers need MYINTELL_RUNS_ORIGIN_URL. */
export function ingressOf(driver: ApiDeps['driver']): string | null {
  const url = (driver as { ingressUrl?: unknown } | null)?.ingressUrl
  return typeof url === 'string' ? url : null
}
