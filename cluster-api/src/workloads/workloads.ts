// The platform side of the workload lifecycle: ensure/remove on agent changes, single-flight wake,
// status with an optional long poll, and the stored workload state kept from the driver's own word (followDriver).
// Drivers know nothing of the database; this file bridges them.

import { delegatesOf } from '../delegation/delegates-config.ts'
import { MAX_STATUS_WAIT_MS, type WorkloadState, type WorkloadStatus } from '../../../wire/internal-api.ts'
import type { ApiDeps } from '../context.ts'
import type { Agent } from '../db/schema/index.ts'
import { findAgentById, listAllAgents, markColdExcept, recordWake, setWorkloadState } from '../db/queries/agents.ts'
import { findTenantById } from '../db/queries/tenants.ts'
import { notFoundError } from '../http/problems.ts'
import type { AgentSpec, WorkloadDriver } from '../drivers/types.ts'
import type { WakeObserver } from '../metrics/metrics.ts'
import { tracer } from '../telemetry/tracing.ts'
import { inSpan } from '../../../wire/node-tracing.ts'
import { buildRuntimeConfig, TenantDatabaseCache } from './runtime-config.ts'
import { ensureWorkspaceDir } from './workspace-dir.ts'
import { ProblemError } from '../../../wire/problem.ts'

/** How long a /v1 read waits for the driver's live state before answering with the stored one. */
export const LIVE_STATE_TIMEOUT_MS = 1_000
/** How often a status long poll asks the driver again. */
export const STATUS_POLL_INTERVAL_MS = 100

export class Workloads {
  readonly #deps: ApiDeps
  readonly #tenantDbs: TenantDatabaseCache
  readonly #waking = new Map<string, Promise<WorkloadStatus>>()
  /** Set while the stored state follows the driver's pushes (followDriver): then nothing else writes it. */
  #unfollow: (() => void) | null = null
  /** States told by the driver and not written yet, by agent: a burst of changes is one write, the newest. */
  readonly #unwritten = new Map<string, WorkloadState>()
  /** Every write of the stored state, one after another, in the order the driver told them. */
  #writes: Promise<void> = Promise.resolve()

  readonly #observer: WakeObserver | null
  #unwatchStarts: (() => void) | null = null
  /**
   * For a driver that reports no starts (watchStarts) but tells its states: when each wake that found an agent not
   * ready began, by agent, until the driver tells it ready (or failed, or cold). Feeds the wake-duration metrics.
   */
  readonly #wakesBegun = new Map<string, number>()

  /** `observer`: the wake metrics (metrics/metrics.ts); null counts nothing. */
  constructor(deps: ApiDeps, observer: WakeObserver | null = null) {
    this.#deps = deps
    this.#observer = observer
    this.#tenantDbs = new TenantDatabaseCache(deps.tenantDatabases)
  }

  get tenantDatabases(): TenantDatabaseCache {
    return this.#tenantDbs
  }

  #driver(): WorkloadDriver {
    const driver = this.#deps.driver
    if (!driver) {
      throw new ProblemError({
        status: 503, code: 'driver-unavailable', title: 'No workload driver is running',
        detail: 'this cluster-api was started without a workload driver; agents cannot be woken',
        headers: { 'retry-after': '30' },
      })
    }
    return driver
  }

  async #spec(agent: Agent) {
    const tenant = await findTenantById(this.#deps.db, agent.tenantId)
    if (!tenant) throw notFoundError('Agent')
    const [tenantDatabaseUrl, agentSecrets, workspaceDir, delegates] = await Promise.all([
      this.#tenantDbs.urlFor(tenant),
      this.#deps.secrets.open(agent.id),
      this.#deps.workspaceRoot ? ensureWorkspaceDir(this.#deps.workspaceRoot, agent.id) : undefined,
      delegatesOf(this.#deps.db, agent),
    ])
    return buildRuntimeConfig(agent, tenant, {
      tenantDatabaseUrl, platformSecrets: this.#deps.runtimeSecrets, agentSecrets, masterSecret: this.#deps.signingSecret, workspaceDir, delegates,
    })
  }

  /** The spec of every agent the platform knows: what a driver's reconcile loop keeps and everything else it removes. */
  async desiredSpecs(): Promise<AgentSpec[]> {
    const all = await listAllAgents(this.#deps.db)
    return Promise.all(all.map((agent) => this.#spec(agent)))
  }

  /** After a create or update: tells the driver, if any. Failures are logged; the next wake retries. */
  async ensureQuietly(agent: Agent): Promise<void> {
    const driver = this.#deps.driver
    if (!driver) return
    try {
      await driver.ensure(await this.#spec(agent))
    } catch (error) {
      this.#deps.logger.warn({ err: error, agentId: agent.id }, 'driver.ensure failed; the next wake retries')
    }
  }

  async removeQuietly(agentId: string): Promise<void> {
    const driver = this.#deps.driver
    if (!driver) return
    try {
      await driver.remove(agentId)
    } catch (error) {
      this.#deps.logger.warn({ err: error, agentId }, 'driver.remove failed')
    }
  }

  /**
   * From now on the stored workload state (what the edge's route lookup answers, and /v1 shows) is the driver's word:
   * every change it tells is written, in order, and one list() corrects what was stored before; an agent the driver
   * does not know runs nothing (after a restart of the platform the local driver knows none), so it is `cold`.
   * Without a driver that tells its changes (watchStates), wake and status keep writing what they see, as before.
   */
  async followDriver(): Promise<void> {
    const driver = this.#deps.driver
    if (driver?.watchStarts && this.#observer && !this.#unwatchStarts) {
      const observer = this.#observer
      this.#unwatchStarts = driver.watchStarts((report) => observer.started(driver.name, report))
    }
    if (!driver?.watchStates || this.#unfollow) return
    const told = new Set<string>()
    this.#unfollow = driver.watchStates((status) => {
      told.add(status.agentId)
      this.#store(status.agentId, status.state)
      this.#startSeen(driver.name, status)
    })
    let listed: WorkloadStatus[]
    try {
      listed = await driver.list()
    } catch (error) {
      // The changes it tells from now on still land; what was stored before stays until they do.
      this.#deps.logger.warn({ err: error }, 'driver.list failed; stored workload states are corrected as the driver reports changes')
      return
    }
    for (const status of listed) if (!told.has(status.agentId)) this.#store(status.agentId, status.state)
    // Computed and queued in one step: a change told after this is written after the correction.
    const known = [...new Set([...listed.map((status) => status.agentId), ...told])]
    await this.#serially(async () => {
      const corrected = await markColdExcept(this.#deps.db, known)
      if (corrected > 0) this.#deps.logger.info({ corrected }, 'stored workload states corrected: the driver runs none of these agents')
    })
  }

  /** A wake this process saw begin has ended (watchStates): its duration, as the driver's start report would give it. */
  #startSeen(driverName: string, status: WorkloadStatus): void {
    const begun = this.#wakesBegun.get(status.agentId)
    if (begun === undefined || status.state === 'waking') return
    this.#wakesBegun.delete(status.agentId)
    // cold: stopped before it was ready (removed, scaled down), which is no start at all.
    if (status.state === 'cold') return
    this.#observer?.started(driverName, { ok: status.state === 'ready', warmPool: 'none', durationMs: performance.now() - begun })
  }

  /** Stops following the driver and waits for the writes already told (before the database closes). */
  async stopFollowing(): Promise<void> {
    this.#unwatchStarts?.()
    this.#unfollow?.()
    await this.#writes
  }

  #store(agentId: string, state: WorkloadState): void {
    const queued = this.#unwritten.has(agentId)
    this.#unwritten.set(agentId, state)
    if (queued) return
    void this.#serially(async () => {
      const newest = this.#unwritten.get(agentId)
      this.#unwritten.delete(agentId)
      if (newest) await setWorkloadState(this.#deps.db, agentId, newest)
    })
  }

  #serially(write: () => Promise<void>): Promise<void> {
    const run = this.#writes.then(write).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'writing a workload state failed'))
    this.#writes = run
    return run
  }

  /** Idempotent and coalesced: concurrent wakes of one agent share one ensure + wake. */
  wake(agentId: string): Promise<WorkloadStatus> {
    let pending = this.#waking.get(agentId)
    if (!pending) {
      pending = this.#wakeOnce(agentId).finally(() => this.#waking.delete(agentId))
      this.#waking.set(agentId, pending)
    }
    return pending
  }

  async #wakeOnce(agentId: string): Promise<WorkloadStatus> {
    const agent = await findAgentById(this.#deps.db, agentId)
    if (!agent) throw notFoundError('Agent')
    const driver = this.#driver()
    if (agent.desiredState === 'paused') {
      this.#observer?.wakeFailed(driver.name, 'paused')
      throw new ProblemError({ status: 409, code: 'agent-paused', title: 'The agent is paused by its owner' })
    }
    this.#observer?.wakeRequested(driver.name)
    const begunAt = performance.now()
    let status: WorkloadStatus
    try {
      status = await inSpan(tracer, 'driver wake', { 'myintell.driver': driver.name }, async (span) => {
        await driver.ensure(await this.#spec(agent))
        const woken = await driver.wake(agentId)
        span.setAttribute('myintell.workload_state', woken.state)
        return woken
      })
    } catch (error) {
      this.#observer?.wakeFailed(driver.name, 'driver_error')
      throw error
    }
    // A failed agent within its cooldown is not started again: the wake is refused, and that is a failure.
    if (status.state === 'failed') this.#observer?.wakeFailed(driver.name, 'agent_failed')
    // Timed from here when the driver cannot report its starts itself, but tells when the agent is ready.
    if (!status.ready && status.state !== 'failed' && !driver.watchStarts && this.#unfollow && !this.#wakesBegun.has(agentId)) {
      this.#wakesBegun.set(agentId, begunAt)
    }
    // Followed: the driver tells the new state itself, in order with every other change.
    if (this.#unfollow) await recordWake(this.#deps.db, agentId)
    else await setWorkloadState(this.#deps.db, agentId, status.state, true)
    return status
  }

  /**
   * With waitMs, holds until the agent is ready or failed, the wait ends, or `signal` aborts (the edge hung up).
   * A driver that announces readiness (waitUntilReady) answers the moment the agent is up; otherwise, and while
   * nothing is waking the agent, the driver is asked again every STATUS_POLL_INTERVAL_MS.
   */
  async status(agentId: string, waitMs = 0, signal?: AbortSignal): Promise<WorkloadStatus> {
    const agent = await findAgentById(this.#deps.db, agentId)
    if (!agent) throw notFoundError('Agent')
    const driver = this.#driver()
    const startedAt = performance.now()
    const deadline = Date.now() + Math.min(Math.max(waitMs, 0), MAX_STATUS_WAIT_MS)
    let status = await driver.status(agentId)
    const until = AbortSignal.any([AbortSignal.timeout(Math.max(deadline - Date.now(), 1)), ...(signal ? [signal] : [])])
    let listen = driver.waitUntilReady !== undefined
    while (!status.ready && status.state !== 'failed' && Date.now() < deadline && !signal?.aborted) {
      // Only a waking agent becomes ready by itself; a cold one is polled until something wakes it.
      const announced = listen && status.state === 'waking' && (await driver.waitUntilReady!(agentId, until).then(() => true, () => false))
      // A driver that refused to wait (an error, not the end of the wait) is not asked again in this poll.
      if (listen && status.state === 'waking' && !announced && !until.aborted) listen = false
      if (!announced) await new Promise((resolve) => setTimeout(resolve, Math.min(STATUS_POLL_INTERVAL_MS, Math.max(deadline - Date.now(), 1))))
      status = await driver.status(agentId)
      // A driver whose announcement and status disagree is polled from here on, never spun on.
      if (announced && !status.ready) listen = false
    }
    if (!this.#unfollow && status.state !== agent.workloadState) await setWorkloadState(this.#deps.db, agentId, status.state)
    if (waitMs > 0) {
      const outcome = status.ready ? 'ready' : status.state === 'failed' ? 'failed' : signal?.aborted ? 'aborted' : 'timeout'
      this.#observer?.statusWaited((performance.now() - startedAt) / 1000, outcome)
    }
    return status
  }

  /**
   * The agents with their live workload state from the driver (without followDriver the stored state is only written
   * on wake and status, so an agent that idled out would still read `ready`). Bounded: a slow driver leaves the
   * stored state.
   */
  async withLiveState(agents: Agent[]): Promise<Agent[]> {
    const driver = this.#deps.driver
    if (!driver || agents.length === 0) return agents
    const live = new Map<string, WorkloadStatus['state']>()
    const lookup = agents.length === 1
      ? driver.status(agents[0]!.id).then((status) => { live.set(status.agentId, status.state) })
      : driver.list().then((statuses) => { for (const status of statuses) live.set(status.agentId, status.state) })
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, LIVE_STATE_TIMEOUT_MS).unref())
    await Promise.race([lookup.catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'driver status failed')), timeout])
    return Promise.all(agents.map(async (agent) => {
      const state = live.get(agent.id)
      if (!state || state === agent.workloadState) return agent
      if (!this.#unfollow) await setWorkloadState(this.#deps.db, agent.id, state)
      return { ...agent, workloadState: state }
    }))
  }

  async touch(activity: Array<{ agentId: string; at: number; openStreams: number }>): Promise<void> {
    const driver = this.#deps.driver
    if (!driver) return
    await Promise.all(activity.map(async (a) => {
      try {
        await driver.touch(a.agentId, a.at, a.openStreams)
      } catch (error) {
        this.#deps.logger.warn({ err: error, agentId: a.agentId }, 'driver.touch failed')
      }
    }))
  }
}
