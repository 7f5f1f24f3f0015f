// AgentGate: one Durable Object per superfriend (idFromName(slug)). Holds requests while the agent wakes,
// coalesces every concurrent wake into one cluster-api call, and batches the agent's activity and usage.
//
// States: cold → waking → warm → cold (idle, the origin said "no endpoints", or the route lookup says the driver
// no longer runs it). A route lookup that says `ready` makes a cold gate warm (awake without a wake). The phase, the wake's
// start and deadline, the cached route and the usage ledger live in storage, so eviction loses nothing
// but the in-memory waiters (whose Worker retries once and finds the wake still running).
// One alarm serves three due times: the wake deadline, the next usage flush, the idle check.

import { DurableObject } from 'cloudflare:workers'
import type { RouteInfo } from '../../../wire/internal-api.ts'
import { InternalClient } from '../cluster/internal-client.ts'
import { configFor, type EdgeConfig } from '../config.ts'
import { LatestLoads } from '../ttl-cache.ts'
import type { Env } from '../env.ts'
import { TIMED_OUT, within } from '../within.ts'
import { idleDueAt, isIdle } from './idle-clock.ts'
import type { AdmitResult, HoldResult, ResolveResult, UsageDelta, WaitResult } from './protocol.ts'
import { UsageLedger } from './usage-ledger.ts'
import { wakeUntilReady, type WakeClient, type WakeOutcome } from './wake-loop.ts'
import { SpanKind } from '@opentelemetry/api'
import { sendSpans, startSpan } from '../telemetry/tracing.ts'
import { LOAD_GIVE_UP_MS, ROUTE_FRESH_MS, ROUTE_MAX_AGE_MS, WAIT_ROUND_MS } from '../budgets.ts'

/** Retry-After for held requests refused by a bound: a wake usually completes within a few seconds. */
export const RETRY_AFTER_FULL_S = 2
export const RETRY_AFTER_TIMEOUT_S = 5
/** Outcomes kept for waits that arrive after their wake ended (the answer raced the call). */
const SETTLED_WAKES_KEPT = 16

export type GatePhase = 'cold' | 'waking' | 'warm'

export interface GateState {
  phase: GatePhase
  wakeStartedAt: number
  wakeDeadline: number
  warmSince: number
  lastActivityAt: number
}

interface CachedRoute {
  route: RouteInfo
  fetchedAt: number
}

interface RunningWake {
  id: string
  /** Seats taken on this wake (admit): the held requests counted against MAX_HELD_REQUESTS. */
  seats: number
  /** Resolves as soon as the outcome is known: what held requests wait for. */
  released: Promise<WakeOutcome & { coldStartMs: number }>
  /** Resolves once the outcome is also in storage and the alarm rescheduled. */
  recorded: Promise<void>
  abort: AbortController
  settle: (outcome: WakeOutcome) => void
}

/** For writes that need not hold back the answers that follow them (see the wake's release). */
const UNCONFIRMED: DurableObjectPutOptions = { allowUnconfirmed: true }

const READY_NOW: HoldResult = { ok: true, waited: false, coldStartMs: 0 }
const QUEUE_FULL: HoldResult = {
  ok: false, status: 503, code: 'wake-queue-full', retryAfterSeconds: RETRY_AFTER_FULL_S,
  title: 'Too many requests are waiting for this superfriend to wake',
}

function holdResultOf(outcome: WakeOutcome & { coldStartMs: number }): HoldResult {
  if (outcome.ok) return { ok: true, waited: true, coldStartMs: outcome.coldStartMs }
  return outcome.code === 'wake-failed'
    ? { ok: false, status: 503, code: 'wake-failed', title: 'The superfriend could not be woken', retryAfterSeconds: RETRY_AFTER_TIMEOUT_S }
    : { ok: false, status: 503, code: 'wake-timeout', title: 'The superfriend did not wake in time', retryAfterSeconds: RETRY_AFTER_TIMEOUT_S }
}

/** The wake's calls to the cluster-api, carrying the wake span's traceparent: its wake and status spans are children. */
function tracedClient(client: InternalClient, traceparent: string): WakeClient {
  return {
    wake: (agentId, signal) => client.wake(agentId, signal, traceparent),
    status: (agentId, waitMs, signal) => client.status(agentId, waitMs, signal, traceparent),
  }
}

const COLD: GateState = { phase: 'cold', wakeStartedAt: 0, wakeDeadline: 0, warmSince: 0, lastActivityAt: 0 }

export class AgentGate extends DurableObject<Env> {
  readonly #config: EdgeConfig
  readonly #client: InternalClient
  readonly #ledger: UsageLedger
  #state: GateState = { ...COLD }
  #route: CachedRoute | null = null
  /** One cluster-api route lookup at a time (keyed by the slug asked; a gate serves one). */
  readonly #routeLookups = new LatestLoads<string, void>(1, LOAD_GIVE_UP_MS)
  #wake: RunningWake | null = null
  readonly #settled = new Map<string, HoldResult>()
  #waitCalls = 0

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#config = configFor(env)
    this.#client = new InternalClient(this.#config)
    this.#ledger = new UsageLedger(ctx.storage, this.#config.usageFlushIntervalMs)
    void ctx.blockConcurrencyWhile(async () => {
      this.#state = (await ctx.storage.get<GateState>('state')) ?? { ...COLD }
      this.#route = (await ctx.storage.get<CachedRoute>('route')) ?? null
      await this.#ledger.load()
    })
  }

  /**
   * Route for this gate's slug: cached here, else from the cluster-api. A copy older than ROUTE_FRESH_MS is
   * still answered while one background lookup replaces it; one older than ROUTE_MAX_AGE_MS is looked up first.
   */
  async resolve(slug: string, requestId?: string): Promise<ResolveResult> {
    const cached = this.#route?.route.slug === slug ? this.#route : null
    const age = cached ? Date.now() - cached.fetchedAt : Infinity
    if (age > ROUTE_MAX_AGE_MS) {
      try {
        await this.#refreshRoute(slug, requestId)
      } catch (error) {
        return { route: null, warm: false, lookupFailed: String(error) }
      }
    } else if (age > ROUTE_FRESH_MS) {
      void this.#refreshRoute(slug, requestId).catch((error: unknown) => console.error('gate: refreshing the route failed; answering the cached one', error))
    }
    const now = Date.now()
    return { route: this.#route?.route ?? null, warm: this.#route !== null && this.#state.phase === 'warm' && !this.#idleSince(now) }
  }

  /**
   * One cluster-api lookup at a time; the answer replaces the cached route (or removes it). Each lookup times out
   * (InternalClient), and one that has not settled after LOAD_GIVE_UP_MS is abandoned for a new one anyway.
   */
  #refreshRoute(slug: string, requestId?: string): Promise<void> {
    return this.#routeLookups.run(slug, async (isCurrent, startedAt) => {
      const route = await this.#client.route(slug, requestId)
      if (!isCurrent()) return
      const fetchedAt = startedAt // the copy is as old as the question that brought it
      if (!route) {
        this.#route = null
        await this.ctx.storage.delete('route')
        return
      }
      this.#route = { route, fetchedAt }
      await this.ctx.storage.put('route', this.#route)
      // The state is the driver's word (the cluster-api stores every change it tells): it moves the phase both ways.
      if (route.state === 'ready' && this.#state.phase === 'cold') {
        await this.#setState({ ...this.#state, phase: 'warm', warmSince: fetchedAt, lastActivityAt: fetchedAt })
      } else if (route.state !== 'ready' && this.#state.phase === 'warm' && fetchedAt > this.#state.warmSince) {
        // Idled out, crashed, stopped, or the platform restarted: the next request is held and wakes it, instead of
        // meeting "no endpoints". (A lookup asked before the last wake ended may predate that wake: it says nothing.)
        await this.#setState({ ...this.#state, phase: 'cold' })
      }
    })
  }

  /** A seat on the running wake (starting one if none runs), or an answer at once. See AdmitResult. */
  async admit(route: RouteInfo, noEndpoints = false, traceparent?: string): Promise<AdmitResult> {
    const admitted = await this.#admit(route, noEndpoints, traceparent)
    return 'released' in admitted ? { kind: 'seat', wakeId: admitted.id } : { kind: 'answer', result: admitted }
  }

  /** The outcome of wake `wakeId`, or `still-waking` after `roundMs`. See WaitResult. */
  async waitForWake(wakeId: string, roundMs = WAIT_ROUND_MS): Promise<WaitResult> {
    this.#waitCalls += 1
    const wake = this.#wake
    if (wake?.id === wakeId) {
      // Pacing of one call, not a lifecycle timer: the wake's bound is the alarm.
      const outcome = await within(wake.released, roundMs)
      if (outcome === TIMED_OUT) return { kind: 'still-waking' }
      return { kind: 'answer', result: holdResultOf(outcome) }
    }
    const result = this.#settled.get(wakeId)
    return result ? { kind: 'answer', result } : { kind: 'unknown-wake' }
  }

  async #admit(route: RouteInfo, noEndpoints: boolean, traceparent?: string): Promise<HoldResult | RunningWake> {
    if (await this.#stillWarm(noEndpoints)) return READY_NOW
    // Seats last until their wake ends, whoever waits on them: a client that left frees its seat then.
    if ((this.#wake?.seats ?? 0) >= this.#config.maxHeldRequests) return QUEUE_FULL
    const wake = this.#wake ?? this.#startWake(route, traceparent)
    wake.seats += 1
    return wake
  }

  /** Starts a wake (if none is running) without waiting for it: for a caller that cannot wait. */
  async nudge(route: RouteInfo, noEndpoints = false): Promise<void> {
    if (await this.#stillWarm(noEndpoints)) return
    if (!this.#wake) void this.#startWake(route).recorded
  }

  /**
   * true when the agent may take traffic now; otherwise leaves the phase cold for a wake. A warm phase goes cold when
   * the origin just answered "no endpoints" (it knows better), or when the gate's idle time has passed and its alarm
   * has not run yet (the platform may have put the agent to sleep). Waking a running agent answers "ready" at once.
   */
  async #stillWarm(noEndpoints: boolean): Promise<boolean> {
    if (this.#state.phase !== 'warm') return false
    if (!noEndpoints && !this.#idleSince(Date.now())) return true
    await this.#setState({ ...this.#state, phase: 'cold' })
    return false
  }

  async report(delta: UsageDelta): Promise<void> {
    const now = Date.now()
    // The idle clock runs from when the traffic happened, not from when this paced push arrived (see UsageDelta).
    const activityAt = delta.lastActivityAt > 0 ? Math.min(now, delta.lastActivityAt) : now
    this.#state.lastActivityAt = Math.max(this.#state.lastActivityAt, activityAt)
    await this.#ledger.add(delta, now)
    await this.#setState(this.#state)
    await this.#scheduleAlarm()
  }

  /** For tests and diagnostics. */
  async snapshot(): Promise<GateState & { held: number; waitCalls: number; openStreams: number; flushAt: number | null; pendingRequests: number }> {
    return {
      ...this.#state, held: this.#wake?.seats ?? 0, waitCalls: this.#waitCalls, openStreams: this.#ledger.openStreams, flushAt: this.#ledger.flushAt,
      pendingRequests: this.#ledger.pendingRequests,
    }
  }

  override async alarm(): Promise<void> {
    // An alarm fires at the earliest due time; everything due by then is handled now. (Taking the due time
    // rather than the clock also lets tests fire alarms early and deterministically.)
    const now = Math.max(Date.now(), this.#nextDue() ?? 0)
    const s = this.#state
    if (s.phase === 'waking' && s.wakeDeadline <= now) {
      const wake = this.#wake
      if (wake) {
        wake.settle({ ok: false, code: 'wake-timeout' })
        await wake.recorded
      } else await this.#setState({ ...s, phase: 'cold' })
    }
    if (this.#state.phase === 'warm' && this.#idleSince(now)) {
      await this.#setState({ ...this.#state, phase: 'cold' })
    }
    const flushAt = this.#ledger.flushAt
    if (flushAt !== null && flushAt <= now) await this.#ledger.flush((batch) => this.#client.ingest(batch))
    await this.#scheduleAlarm()
  }

  /** Warm, but without activity for the gate's idle time and no stream open: due to go cold (idle-clock.ts). */
  #idleSince(now: number): boolean {
    return isIdle(this.#state.lastActivityAt, this.#config.gateIdleMs, this.#ledger.openStreams, now)
  }

  /** `traceparent`: the span of the hold that started this wake, which the wake's span (and its calls) continue. */
  #startWake(route: RouteInfo, traceparent?: string): RunningWake {
    const now = Date.now()
    const span = startSpan(this.#config.tracing, 'gate wake', SpanKind.INTERNAL, traceparent)
    // After an eviction mid-wake the stored phase is still 'waking': resume it, with the same deadline.
    const resuming = this.#state.phase === 'waking' && this.#state.wakeDeadline > now
    const startedAt = resuming ? this.#state.wakeStartedAt : now
    const deadline = resuming ? this.#state.wakeDeadline : now + this.#config.wakeTimeoutMs
    const abort = new AbortController()
    let settle!: (outcome: WakeOutcome) => void
    const settled = new Promise<WakeOutcome>((resolve) => {
      settle = resolve
    })
    // Held requests go as soon as the outcome is known. The new phase is in memory at once and written
    // right after without holding back their answers (allowUnconfirmed): the cluster-api already knows the
    // agent is up. A write lost to a crash means one more (idempotent) wake, and it can also lose this wake's
    // usage record (its wake count and cold-start ms never reach the ledger, so they are never billed or
    // shown); the requests it released are still counted by the isolates' reports.
    const released = settled.then((outcome) => {
      abort.abort()
      if (span) {
        span.span.setAttribute('myintell.wake_outcome', outcome.ok ? 'ready' : outcome.code)
        span.end({ failed: !outcome.ok })
        this.ctx.waitUntil(sendSpans(this.#config.tracing))
      }
      if (this.#wake === wake) this.#wake = null
      const end = Date.now()
      this.#state = outcome.ok
        ? { ...this.#state, phase: 'warm', warmSince: end, lastActivityAt: end }
        : { ...this.#state, phase: 'cold' }
      const result = { ...outcome, coldStartMs: end - startedAt }
      this.#settled.set(wake.id, holdResultOf(result))
      if (this.#settled.size > SETTLED_WAKES_KEPT) this.#settled.delete(this.#settled.keys().next().value!)
      return result
    })
    const recorded = released.then(async (outcome) => {
      await this.#setState(this.#state, UNCONFIRMED)
      if (outcome.ok) await this.#ledger.addWake(route.agentId, route.tenantId, outcome.coldStartMs, Date.now(), UNCONFIRMED)
      await this.#scheduleAlarm(UNCONFIRMED)
    })
    // Holders do not wait for the record; the alarm does (and sees a failure). Storage failures reset the object.
    recorded.catch((error: unknown) => console.error('gate: recording the wake failed', error))
    const wake: RunningWake = { id: crypto.randomUUID(), seats: 0, released, recorded, abort, settle }
    this.#wake = wake
    this.#state = { ...this.#state, phase: 'waking', wakeStartedAt: startedAt, wakeDeadline: deadline }
    void (async () => {
      await this.#setState(this.#state)
      await this.#scheduleAlarm()
      const client = span ? tracedClient(this.#client, span.traceparent()) : this.#client
      return wakeUntilReady({ client, agentId: route.agentId, deadline, signal: abort.signal, issueWake: !resuming })
    })().then(settle, (error: unknown) => settle({ ok: false, code: 'wake-failed', detail: String(error) }))
    return wake
  }

  #nextDue(): number | null {
    const due: number[] = []
    if (this.#state.phase === 'waking') due.push(this.#state.wakeDeadline)
    const idleDue = this.#state.phase === 'warm' ? idleDueAt(this.#state.lastActivityAt, this.#config.gateIdleMs) : null
    if (idleDue !== null) due.push(idleDue)
    if (this.#ledger.flushAt !== null) due.push(this.#ledger.flushAt)
    return due.length ? Math.min(...due) : null
  }

  async #scheduleAlarm(options?: DurableObjectPutOptions): Promise<void> {
    const due = this.#nextDue()
    if (due === null) await this.ctx.storage.deleteAlarm(options)
    else if ((await this.ctx.storage.getAlarm()) !== due) await this.ctx.storage.setAlarm(due, options)
  }

  async #setState(state: GateState, options?: DurableObjectPutOptions): Promise<void> {
    this.#state = state
    await this.ctx.storage.put('state', state, options)
  }
}
