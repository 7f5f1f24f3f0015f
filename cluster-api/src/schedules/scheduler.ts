// The schedule loop of one cluster-api process: every tick, the due schedules are read and each fire is claimed in
// the database (queries.ts claimFire), so any number of processes fire each schedule once. Fires missed while every
// process was down are due at the first tick after start, and fire once: the next fire is computed from now.

import type { Logger } from 'pino'
import type { Db } from '../db/types.ts'
import type { RunQueue } from '../runs/run-queue.ts'
import { claimFire, dueSchedules, timingOf } from './queries.ts'
import { nextFire } from './timing.ts'

const DUE_BATCH = 100

export class Scheduler {
  readonly #db: Db
  readonly #queue: RunQueue
  readonly #tickMs: number
  readonly #logger: Logger
  #timer: NodeJS.Timeout | null = null
  #ticking: Promise<void> = Promise.resolve()
  /** Told of each run a fire created (bench/runs.ts measures fire → first token from here). */
  onFire: ((runId: string, scheduleId: string, dueAt: Date) => void) | null = null

  constructor(options: { db: Db; queue: RunQueue; tickMs: number; logger: Logger }) {
    this.#db = options.db
    this.#queue = options.queue
    this.#tickMs = options.tickMs
    this.#logger = options.logger
  }

  start(): void {
    if (this.#tickMs === 0 || this.#timer) return
    const loop = () => {
      this.#ticking = this.tick().then(() => {}, (error: unknown) => this.#logger.warn({ err: error }, 'schedule tick failed'))
      void this.#ticking.finally(() => {
        if (this.#timer) this.#timer = setTimeout(loop, this.#tickMs)
      })
    }
    this.#timer = setTimeout(loop, 0)
  }

  /** Fires every due schedule once; returns how many fires this process claimed. */
  async tick(now = new Date()): Promise<number> {
    let fired = 0
    for (const schedule of await dueSchedules(this.#db, now, DUE_BATCH)) {
      const next = nextFire(timingOf(schedule), now, schedule.nextRunAt)
      const run = await claimFire(this.#db, schedule, now, next)
      if (!run) continue
      fired++
      this.onFire?.(run.id, schedule.id, schedule.nextRunAt!)
      // If this send is lost (the process dies now), the queue's sweep sends the queued run again.
      await this.#queue.send(run.id)
    }
    return fired
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#ticking
  }
}
