// The durable queue of runs: pg-boss on the platform database, in its own schema. A run's job id is the run's id, so
// a run is queued at most once however often it is sent, and each job is held by one worker of one process at a time
// (pg-boss's SKIP LOCKED fetch). Retries with backoff come from pg-boss; a job whose process died stops sending
// heartbeats and is retried by pg-boss's monitor; the sweep at start fails what no job will ever pick up again.

import type { Logger } from 'pino'
import { PgBoss } from 'pg-boss'
import type { Db } from '../db/types.ts'
import { executeRun, type ExecuteDeps } from './execute-run.ts'
import { appendEvent, finishRun, listUnfinishedRuns } from './queries.ts'
import type { RunFeed } from './run-feed.ts'

export const RUN_QUEUE = 'agent-runs'
/** pg-boss's own tables live here, apart from the platform's (drizzle's) tables. */
export const QUEUE_SCHEMA = 'pgboss'
/** pg-boss's smallest heartbeat: an attempt whose process died is retried this long after its last beat. */
const HEARTBEAT_S = 10
/** A run younger than this may still be between its row and its job: the sweep leaves it alone. */
const SWEEP_GRACE_MS = 30_000
const SWEEP_EVERY_MS = 60_000

export interface RunQueueOptions {
  databaseUrl: string
  /** Runs this process works on at once. */
  concurrency: number
  /** Attempts in all (1 = no retry). */
  maxAttempts: number
  /** First retry delay; doubled each attempt by pg-boss (retryBackoff). */
  retryDelayS: number
  execute: Omit<ExecuteDeps, 'maxAttempts'>
  logger: Logger
}

export class RunQueue {
  readonly #options: RunQueueOptions
  readonly #boss: PgBoss
  #started = false
  #working = false
  #sweeper: NodeJS.Timeout | null = null

  constructor(options: RunQueueOptions) {
    this.#options = options
    this.#boss = new PgBoss({
      connectionString: options.databaseUrl, schema: QUEUE_SCHEMA, max: Math.max(4, options.concurrency + 2),
      application_name: 'myintell-runs', schedule: false, useListenNotify: true,
    })
    this.#boss.on('error', (error) => options.logger.warn({ err: error }, 'run queue error'))
  }

  get feed(): RunFeed {
    return this.#options.execute.feed
  }

  get db(): Db {
    return this.#options.execute.db
  }

  async start(): Promise<void> {
    const o = this.#options
    await this.#boss.start()
    this.#started = true
    await this.#boss.createQueue(RUN_QUEUE, {
      // pg-boss counts retries after the first attempt; one more than ours, so that our last attempt (which fails
      // the run with its reason) is never cut short by pg-boss's own bound.
      retryLimit: o.maxAttempts, retryDelay: o.retryDelayS, retryBackoff: true, retryDelayMax: 300,
      heartbeatSeconds: HEARTBEAT_S, expireInSeconds: 3_600, notify: true,
    }).catch((error: unknown) => {
      // Another process created it first.
      if (!String((error as Error).message).includes('already exists')) throw error
    })
    await this.sweep()
    // Also later: a job that pg-boss gave up on after its process died (no heartbeat, retries spent) ends its run here.
    this.#sweeper = setInterval(() => void this.sweep().catch((error: unknown) => o.logger.warn({ err: error }, 'run sweep failed')), SWEEP_EVERY_MS)
    await this.resume()
  }

  /** Starts this process's workers (MYINTELL_RUN_CONCURRENCY of them; none when it is 0). */
  async resume(): Promise<void> {
    const o = this.#options
    if (o.concurrency === 0 || this.#working) return
    this.#working = true
    await this.#boss.work<{ runId: string }>(RUN_QUEUE, {
      localConcurrency: o.concurrency, batchSize: 1, pollingIntervalSeconds: 0.5,
      // A NOTIFY wakes an idle worker when a run is sent, but not for runs already queued: after each run a worker
      // would otherwise wait pg-boss's 30 s backstop with a backlog waiting (measured: 0.3 runs/s with 1,000 queued).
      notifyPollingIntervalSeconds: 0.5, burstWhenReadyExceeds: Math.max(1, o.concurrency),
    }, async ([job]) => {
      if (!job) return
      await executeRun({ ...o.execute, maxAttempts: o.maxAttempts }, job.data.runId, job.signal)
    })
  }

  /** Stops taking new runs in this process (the ones in progress finish); runs are still queued. The bench uses it. */
  async pause(): Promise<void> {
    if (!this.#working) return
    this.#working = false
    await this.#boss.offWork(RUN_QUEUE, { wait: true })
  }

  /** Queues a run (its job id is the run id: sending twice queues it once). */
  async send(runId: string): Promise<void> {
    await this.#boss.send(RUN_QUEUE, { runId }, { id: runId })
  }

  async cancel(runId: string): Promise<void> {
    await this.#boss.cancel(RUN_QUEUE, runId).catch(() => {})
  }

  /**
   * Recovery at start: each unfinished run is either held by a pg-boss job that will run it (queued, retrying,
   * active and beating), or sent again when it has no job (its process died between the row and the job), or failed
   * with `run-lost` when its job is over (a process died between the job's end and the row's).
   */
  async sweep(): Promise<void> {
    const db = this.#options.execute.db
    for (const run of await listUnfinishedRuns(db, new Date(Date.now() - SWEEP_GRACE_MS))) {
      const [job] = await this.#boss.findJobs(RUN_QUEUE, { id: run.id })
      if (!job) {
        await this.send(run.id)
        continue
      }
      if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') {
        const error = { code: 'run-lost', message: `the run's job ended (${job.state}) without a result` }
        if (await finishRun(db, run.id, { status: 'failed', error })) {
          await appendEvent(db, run.id, 'status', { status: 'failed', error })
          this.#options.logger.warn({ runId: run.id, job: job.state }, 'failed a run left unfinished')
        }
      }
    }
  }

  /** Stops taking runs and waits up to `timeoutMs` for the ones in progress; what is left is retried elsewhere. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper)
    if (!this.#started) return
    this.#started = false
    await this.#boss.stop({ graceful: true, timeout: Math.max(timeoutMs, 1), close: true })
  }
}
