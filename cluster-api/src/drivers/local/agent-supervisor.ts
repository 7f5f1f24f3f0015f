// The lifecycle of one agent under the local driver: cold → waking → ready → (idle) → cold, crash → restart with
// backoff, crash loop → failed. Owns at most one serving process plus the ones still draining after an idle-out.

import type { WorkloadState, WorkloadStatus } from '../../../../wire/internal-api.ts'
import type { AgentSpec, StartReport } from '../types.ts'
import type { LocalDriverSettings } from './options.ts'
import { RuntimeProcess, StartAborted } from './runtime-process.ts'
import type { ExitInfo } from './runtime-process.ts'
import type { WarmPool } from './warm-pool.ts'
import { RUNTIME_PATHS } from '../../../../wire/runtime.ts'

/** How many idle timeouts an edge report of open streams keeps an agent awake without a newer report. */
const EDGE_STREAM_REPORT_TTL_FACTOR = 3

type Phase = 'cold' | 'starting' | 'ready' | 'backoff' | 'failed'

export interface SupervisorDeps {
  settings: LocalDriverSettings
  pool: WarmPool | null
  spawn(config: AgentSpec | undefined, label: Record<string, unknown>): RuntimeProcess
  /** Told the agent's status each time its state changes (the driver passes it on to watchStates listeners). */
  onState?(status: WorkloadStatus): void
  /** Told each finished start, well or not (the driver passes it on to watchStarts listeners). */
  onStart?(report: StartReport): void
}

export class AgentSupervisor {
  spec: AgentSpec
  private readonly deps: SupervisorDeps
  private phase: Phase = 'cold'
  private current: RuntimeProcess | null = null
  /** The spec the current process was given (env or assignment); a newer spec is pushed with PUT config. */
  private currentSpec: AgentSpec | null = null
  private readonly draining = new Set<RuntimeProcess>()
  private readonly drains = new Set<Promise<unknown>>()
  /** Bumped whenever the current launch is abandoned (stop, remove, close): a stale launch must not touch state. */
  private generation = 0
  private startAbort: AbortController | null = null
  private crashes: number[] = []
  private failedAt = 0
  private failureMessage: string | undefined
  private restartTimer: NodeJS.Timeout | null = null
  private idleTimer: NodeJS.Timeout | null = null
  private lastActivity = 0
  /** Requests and WebSockets the local ingress is proxying to this agent right now. */
  private inFlight = 0
  private edgeOpenStreams = 0
  private edgeReportedAt = 0
  private closed = false
  private readyWaiters = new Set<() => void>()
  /** The state last told to deps.onState: starting and backoff are both `waking`, told once. */
  private toldState: WorkloadState = 'cold'

  constructor(spec: AgentSpec, deps: SupervisorDeps) {
    this.spec = spec
    this.deps = deps
  }

  get agentId(): string {
    return this.spec.agentId
  }

  /** Port of the process that serves this agent, only while it is ready. */
  get readyPort(): number | null {
    return this.phase === 'ready' && this.current?.alive ? this.current.port : null
  }

  /** Every live process of this agent: the serving one and those still draining. */
  pids(): number[] {
    const all = this.current ? [this.current, ...this.draining] : [...this.draining]
    return all.filter((p) => p.alive).map((p) => p.pid)
  }

  status(): WorkloadStatus {
    const state: WorkloadState = this.phase === 'starting' || this.phase === 'backoff' ? 'waking' : this.phase
    const ready = this.readyPort !== null
    const status: WorkloadStatus = { agentId: this.agentId, state, ready, replicas: this.current?.alive ? 1 : 0 }
    if (this.phase === 'failed' && this.failureMessage) status.message = this.failureMessage
    return status
  }

  /** Idempotent: starts the agent unless it is starting, ready, or failed within the cooldown. */
  wake(): WorkloadStatus {
    if (this.closed) return this.status()
    this.markActivity(Date.now())
    if (this.phase === 'failed') {
      if (Date.now() - this.failedAt < this.deps.settings.failedCooldownMs) return this.status()
      this.resetFailure()
    }
    if (this.phase === 'cold') void this.launch()
    return this.status()
  }

  /** New settings: pushed to a running process; a failed agent gets a fresh chance at its next wake. */
  async update(spec: AgentSpec): Promise<void> {
    this.spec = spec
    if (this.phase === 'failed') this.resetFailure()
    if (this.phase === 'ready') await this.pushSpec()
    // starting: the launch pushes the newer spec once the process is ready.
  }

  touch(at: number, openStreams: number): void {
    this.markActivity(Math.min(at, Date.now()))
    this.edgeOpenStreams = Math.max(0, openStreams)
    this.edgeReportedAt = Date.now()
  }

  /** Called by the local ingress when it starts proxying a request or WebSocket; call the result when it ends. */
  beginStream(): () => void {
    this.inFlight++
    this.markActivity(Date.now())
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.inFlight--
      this.markActivity(Date.now())
    }
  }

  get openStreams(): number {
    return this.inFlight
  }

  /** Resolves when the agent is ready; rejects when it fails or `signal` aborts. */
  waitUntilReady(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.readyPort !== null) return finish(), resolve(), true
        if (this.phase === 'failed') return finish(), reject(new Error(this.failureMessage ?? 'agent failed')), true
        if (this.closed || this.phase === 'cold') return finish(), reject(new Error('agent is not waking')), true
        return false
      }
      const onAbort = () => {
        finish()
        reject(new StartAborted('wait for readiness aborted'))
      }
      const finish = () => {
        this.readyWaiters.delete(waiter)
        signal.removeEventListener('abort', onAbort)
      }
      const waiter = () => void check()
      if (signal.aborted) return onAbort()
      if (check()) return
      this.readyWaiters.add(waiter)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  private notify(): void {
    for (const waiter of [...this.readyWaiters]) waiter()
  }

  private setPhase(phase: Phase): void {
    this.phase = phase
    this.notify()
    const status = this.status()
    if (status.state !== this.toldState) {
      this.toldState = status.state
      this.deps.onState?.(status)
    }
  }

  private markActivity(at: number): void {
    if (at > this.lastActivity) this.lastActivity = at
    if (this.phase === 'ready') this.armIdleTimer()
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation
    this.setPhase('starting')
    const abort = new AbortController()
    this.startAbort = abort
    const { settings } = this.deps
    const signal = settings.startTimeoutMs > 0 ? AbortSignal.any([abort.signal, AbortSignal.timeout(settings.startTimeoutMs)]) : abort.signal
    const spec = this.spec
    const startedAt = performance.now()
    let proc = this.deps.pool?.take() ?? null
    /** The assignment's answer said ready: the runtime has its database open, so no /readyz poll follows. */
    let readyByAssign = false
    let warmPool: StartReport['warmPool'] = this.deps.pool ? (proc ? 'hit' : 'miss') : 'none'
    const report = (ok: boolean) => this.deps.onStart?.({ ok, warmPool, durationMs: performance.now() - startedAt })
    try {
      if (proc) {
        this.adopt(proc, spec)
        try {
          readyByAssign = (await proc.sendConfig('POST', spec, signal)).ready
        } catch (err) {
          if (generation !== this.generation) throw err
          // A broken pool runtime is not the agent's fault: drop it and start cold instead of counting a crash.
          this.deps.settings.logger.warn({ agentId: this.agentId, pid: proc.pid, err: { message: (err as Error).message } }, 'warm runtime refused assignment; starting cold')
          this.current = null
          this.retire(proc)
          proc = null
          warmPool = 'miss'
        }
      }
      if (!proc) {
        proc = this.deps.spawn(spec, { agentId: this.agentId })
        this.adopt(proc, spec)
      }
      if (!readyByAssign) await proc.waitForReady(signal)
      if (generation !== this.generation) return
      this.startAbort = null
      this.lastActivity = Math.max(this.lastActivity, Date.now())
      this.setPhase('ready')
      report(true)
      this.armIdleTimer()
      this.deps.settings.logger.info({
        agentId: this.agentId, pid: proc.pid, port: proc.port, readyByAssign, readinessProbes: proc.probesSent(RUNTIME_PATHS.readyz),
      }, 'agent ready')
      if (this.spec !== spec) await this.pushSpec()
    } catch (err) {
      if (generation !== this.generation || this.closed) return
      this.startAbort = null
      const reason = err instanceof StartAborted ? 'did not become ready in time' : (err as Error).message
      this.deps.settings.logger.warn({ agentId: this.agentId, pid: proc?.pid, err: { message: reason }, stderr: proc?.recentStderr }, 'agent start failed')
      if (proc && proc === this.current) {
        this.current = null
        this.retire(proc)
      }
      report(false)
      this.onCrash(`start failed: ${reason}`)
    } finally {
      // Refill only now that this wake no longer needs the CPU (see WarmPool.take).
      this.deps.pool?.fill()
    }
  }

  private adopt(proc: RuntimeProcess, spec: AgentSpec): void {
    this.current = proc
    this.currentSpec = spec
    void proc.exited.then((info) => this.onExit(proc, info))
  }

  private onExit(proc: RuntimeProcess, info: ExitInfo): void {
    if (proc !== this.current || proc.stopping || this.closed) return
    this.current = null
    // A crash during start is handled by launch() (its probe rejects); only a crash after ready is handled here.
    if (this.phase !== 'ready') return
    this.clearIdleTimer()
    this.generation++
    this.deps.settings.logger.warn({ agentId: this.agentId, pid: proc.pid, exit: info, stderr: proc.recentStderr }, 'agent runtime crashed')
    this.onCrash(`exited with ${info.signal ? `signal ${info.signal}` : `code ${info.code}`}`)
  }

  private onCrash(reason: string): void {
    const { settings } = this.deps
    const now = Date.now()
    this.crashes = this.crashes.filter((t) => now - t < settings.crashWindowMs)
    this.crashes.push(now)
    if (this.crashes.length >= settings.maxCrashes) {
      this.failedAt = now
      this.failureMessage = `crash loop: ${this.crashes.length} crashes within ${Math.round(settings.crashWindowMs / 1000)} s, stopped restarting (last: ${reason})`
      settings.logger.error({ agentId: this.agentId, crashes: this.crashes.length }, 'agent in a crash loop; not restarting')
      this.setPhase('failed')
      return
    }
    const delay = Math.min(settings.restartBackoffMs * 2 ** (this.crashes.length - 1), settings.maxRestartBackoffMs)
    settings.logger.info({ agentId: this.agentId, retryInMs: delay, crashes: this.crashes.length }, 'restarting agent after a crash')
    this.setPhase('backoff')
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null
      if (this.phase === 'backoff' && !this.closed) void this.launch()
    }, delay)
  }

  private resetFailure(): void {
    this.crashes = []
    this.failureMessage = undefined
    if (this.phase === 'failed') this.setPhase('cold')
  }

  private async pushSpec(): Promise<void> {
    const proc = this.current
    const spec = this.spec
    if (!proc || this.currentSpec === spec) return
    try {
      await proc.sendConfig('PUT', spec, AbortSignal.timeout(this.deps.settings.startTimeoutMs || 30_000))
      if (proc === this.current) this.currentSpec = spec
    } catch (err) {
      // The next wake after an idle-out starts from the new spec anyway; a failed push is logged, not fatal.
      this.deps.settings.logger.warn({ agentId: this.agentId, pid: proc.pid, err: { message: (err as Error).message } }, 'could not push new settings to the runtime')
    }
  }

  private armIdleTimer(): void {
    const { idleTimeoutMs } = this.deps.settings
    this.clearIdleTimer()
    if (idleTimeoutMs === 0 || this.closed) return
    const due = this.lastActivity + idleTimeoutMs - Date.now()
    this.idleTimer = setTimeout(() => this.onIdleTimer(), Math.max(0, due))
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  private onIdleTimer(): void {
    this.idleTimer = null
    if (this.phase !== 'ready') return
    const now = Date.now()
    const { idleTimeoutMs } = this.deps.settings
    // An open stream is a conversation in progress, not idleness. The edge's count holds until its next report says
    // otherwise, but a report older than EDGE_STREAM_REPORT_TTL_FACTOR idle timeouts no longer counts (a lost edge).
    const edgeStreamsOpen = this.edgeOpenStreams > 0 && now - this.edgeReportedAt < idleTimeoutMs * EDGE_STREAM_REPORT_TTL_FACTOR
    if (this.inFlight > 0 || edgeStreamsOpen) {
      this.lastActivity = now
      this.armIdleTimer()
      return
    }
    if (now - this.lastActivity < idleTimeoutMs) return this.armIdleTimer()
    this.deps.settings.logger.info({ agentId: this.agentId, idleMs: now - this.lastActivity }, 'agent idle; stopping')
    this.stopServing()
  }

  /** Stops the serving process (drain in the background) and leaves the agent cold. */
  private stopServing(): void {
    this.generation++
    this.startAbort?.abort()
    this.startAbort = null
    this.clearIdleTimer()
    if (this.restartTimer) clearTimeout(this.restartTimer)
    this.restartTimer = null
    const proc = this.current
    this.current = null
    this.currentSpec = null
    if (proc) this.retire(proc)
    if (this.phase !== 'failed') this.setPhase('cold')
  }

  private retire(proc: RuntimeProcess): void {
    this.draining.add(proc)
    const drained = proc.stop(this.deps.settings.killAfterMs).finally(() => {
      this.draining.delete(proc)
      this.drains.delete(drained)
    })
    this.drains.add(drained)
  }

  /** Stops every process of this agent and waits until each has exited. The supervisor is done afterwards. */
  async close(): Promise<void> {
    this.stopServing()
    this.closed = true
    this.notify()
    await Promise.all([...this.drains])
  }

  /** Synchronous last resort for the parent's `exit` handler. */
  killAll(): void {
    this.current?.signal('SIGKILL')
    for (const proc of this.draining) proc.signal('SIGKILL')
  }
}
