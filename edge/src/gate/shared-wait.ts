// Worker side of a hold: every held request takes its own seat in the AgentGate (admit, so the gate counts
// held requests across isolates), then the held requests of this isolate share ONE waitForWake call per
// wake. At readiness the gate sends one answer per isolate instead of one per held request, and every
// request of the isolate goes to the origin at once (the answers no longer queue in front of the forwards).

import type { RouteInfo } from '../../../wire/internal-api.ts'
import { TIMED_OUT, within } from '../within.ts'
import type { AdmitResult, HoldResult, WaitResult } from './protocol.ts'
import { SHARED_WAIT_GRACE_MS, WAIT_ROUND_MS } from '../budgets.ts'

export interface GateWaits {
  admit(route: RouteInfo, noEndpoints?: boolean, traceparent?: string): Promise<AdmitResult>
  waitForWake(wakeId: string, roundMs?: number): Promise<WaitResult>
}

export interface SharedWaitOptions {
  /** Keeps the request that makes the shared call alive until it answers, even if its own client left. */
  keepAlive: (pending: Promise<unknown>) => void
  /** How long one shared call may take before the gate answers `still-waking`; default WAIT_ROUND_MS. */
  roundMs?: number
  /** How much longer a waiter trusts a shared call before making its own; default SHARED_WAIT_GRACE_MS. */
  graceMs?: number
  /** The holder's trace span: a wake this seat starts is traced as its child. */
  traceparent?: string | undefined
}

/** In-flight waitForWake calls of this isolate, by slug and wake. */
const waits = new Map<string, Promise<WaitResult>>()

/** Resolves once the agent can take traffic or a bound is hit. Throws if the gate was reset meanwhile. */
export async function holdShared(gate: GateWaits, route: RouteInfo, noEndpoints: boolean, options: SharedWaitOptions): Promise<HoldResult> {
  const roundMs = options.roundMs ?? WAIT_ROUND_MS
  const admitted = await gate.admit(route, noEndpoints, options.traceparent)
  if (admitted.kind === 'answer') return admitted.result
  const key = `${route.slug}\n${admitted.wakeId}`
  for (;;) {
    let wait = waits.get(key)
    if (!wait) {
      const call: Promise<WaitResult> = gate.waitForWake(admitted.wakeId, roundMs).finally(() => {
        if (waits.get(key) === call) waits.delete(key)
      })
      wait = call
      waits.set(key, call)
      options.keepAlive(call.catch(() => undefined))
    }
    const result = await within(wait, roundMs + (options.graceMs ?? SHARED_WAIT_GRACE_MS))
    if (result === TIMED_OUT) {
      // The call was lost with the request that made it: this waiter makes the next one.
      if (waits.get(key) === wait) waits.delete(key)
      continue
    }
    if (result.kind === 'answer') return result.result
    if (result.kind === 'unknown-wake') throw new Error('gate: the wake was lost (the gate restarted)')
    // still-waking: the next round, made by whichever waiter gets here first.
  }
}
