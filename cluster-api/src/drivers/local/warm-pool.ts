// The warm pool: generic runtimes started ahead of time, without a config, so a wake only has to assign one.
// take() hands out a process that answers /healthz; the pool refills in the background, backing off if spawns keep failing.

import type { StructuredLogger } from '../../../../wire/logger.ts'
import { RUNTIME_PATHS } from '../../../../wire/runtime.ts'
import type { RuntimeProcess } from './runtime-process.ts'

/** First refill delay after a pool runtime died before it was handed out (ms), doubled per consecutive failure. */
const REFILL_BACKOFF_INITIAL_MS = 500
/** Refill delay cap (ms): a broken runtime entry costs one spawn per 30 s, not a busy loop. */
const REFILL_BACKOFF_MAX_MS = 30_000

export interface WarmPoolOptions {
  size: number
  spawn(): RuntimeProcess
  /** Bound on spawn → /healthz 200 (ms); 0 = no bound. */
  startTimeoutMs: number
  killAfterMs: number
  logger: StructuredLogger
}

export class WarmPool {
  private readonly options: WarmPoolOptions
  /** Started and answering /healthz: ready to be assigned. */
  private readonly idle: RuntimeProcess[] = []
  private readonly starting = new Set<RuntimeProcess>()
  /** Taken while still starting: the pool's own start-up handling no longer applies to them. */
  private readonly claimed = new WeakSet<RuntimeProcess>()
  private readonly stops = new Set<Promise<unknown>>()
  private readonly abort = new AbortController()
  private consecutiveFailures = 0
  private refillTimer: NodeJS.Timeout | null = null
  private closed = false

  constructor(options: WarmPoolOptions) {
    this.options = options
  }

  /** Number of ready, unassigned runtimes. */
  get available(): number {
    return this.idle.length
  }

  /** Pool processes ready to be assigned. */
  readyPids(): number[] {
    return this.idle.filter((p) => p.alive).map((p) => p.pid)
  }

  /** Every live pool process (ready or starting). */
  pids(): number[] {
    return [...this.idle, ...this.starting].filter((p) => p.alive).map((p) => p.pid)
  }

  /**
   * A generic runtime, now owned by the caller: a ready one if any, else the oldest still starting (it is further
   * along than a cold spawn would be); null when the pool is empty or disabled. The caller calls fill() once its
   * wake is done: on a small machine a refill started at once would compete with that wake for the CPU.
   */
  take(): RuntimeProcess | null {
    let proc: RuntimeProcess | undefined
    while ((proc = this.idle.shift())) {
      if (proc.alive) break
    }
    if (!proc) {
      proc = [...this.starting].find((p) => p.alive)
      if (proc) {
        this.starting.delete(proc)
        this.claimed.add(proc)
      }
    }
    return proc ?? null
  }

  /** Starts runtimes until ready + starting reaches the pool size (unless backing off or closed). */
  fill(): void {
    if (this.closed || this.refillTimer) return
    while (this.idle.length + this.starting.size < this.options.size) this.startOne()
  }

  private startOne(): void {
    const proc = this.options.spawn()
    this.starting.add(proc)
    const signal = this.options.startTimeoutMs > 0
      ? AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.startTimeoutMs)])
      : this.abort.signal
    proc.waitForProbe(RUNTIME_PATHS.healthz, signal).then(
      () => {
        if (this.claimed.has(proc)) return
        this.starting.delete(proc)
        if (this.closed) return void this.stopProcess(proc)
        this.consecutiveFailures = 0
        this.idle.push(proc)
        this.options.logger.debug?.({ pool: true, pid: proc.pid, available: this.idle.length }, 'warm runtime ready')
      },
      (err: unknown) => {
        if (this.claimed.has(proc)) return
        this.starting.delete(proc)
        void this.stopProcess(proc)
        if (this.closed) return
        this.consecutiveFailures++
        const delay = Math.min(REFILL_BACKOFF_INITIAL_MS * 2 ** (this.consecutiveFailures - 1), REFILL_BACKOFF_MAX_MS)
        this.options.logger.warn({
          pool: true, pid: proc.pid, err: { message: (err as Error).message }, exit: proc.exit, stderr: proc.recentStderr, retryInMs: delay,
        }, 'warm runtime failed to start')
        this.scheduleRefill(delay)
      },
    )
    // A ready pool runtime that dies is replaced; one that was handed out is no longer ours to watch.
    void proc.exited.then(() => {
      const index = this.idle.indexOf(proc)
      if (index === -1 || this.closed) return
      this.idle.splice(index, 1)
      this.options.logger.warn({ pool: true, pid: proc.pid, exit: proc.exit }, 'warm runtime exited while idle; replacing it')
      this.fill()
    })
  }

  private scheduleRefill(delayMs: number): void {
    if (this.refillTimer) return
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null
      this.fill()
    }, delayMs)
  }

  private stopProcess(proc: RuntimeProcess): Promise<unknown> {
    const stopping = proc.stop(this.options.killAfterMs)
    this.stops.add(stopping)
    void stopping.finally(() => this.stops.delete(stopping))
    return stopping
  }

  /** Stops every pool process and waits until each has exited. */
  async close(): Promise<void> {
    this.closed = true
    this.abort.abort()
    if (this.refillTimer) clearTimeout(this.refillTimer)
    this.refillTimer = null
    const all = [...this.idle, ...this.starting]
    this.idle.length = 0
    for (const proc of all) void this.stopProcess(proc)
    await Promise.all([...this.stops])
  }

  /** Synchronous last resort for the parent's `exit` handler. */
  killAll(): void {
    for (const proc of [...this.idle, ...this.starting]) proc.signal('SIGKILL')
  }
}
