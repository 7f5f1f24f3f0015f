// Per-isolate accounting: counts per agent, pushed to the agent's gate (which batches and flushes them to
// the cluster-api). At most one push loop per agent runs in an isolate; it pushes, waits REPORT_GAP_MS while
// more counts arrive, pushes again if there are any, and hands over after REPORT_LOOP_MAX_MS. Only the request that starts a
// loop keeps it alive (waitUntil); every other request just adds its counts, which costs nothing per request
// and keeps no request's context alive past its answer. The gate sees about one call per second per busy
// isolate and no request waits for it.
// A push that fails or gets no answer within REPORT_TIMEOUT_MS keeps its counts, and the loop tries again
// after the gap until its time is up. Counts still unpushed then wait in the isolate for the next request to
// start a loop; if the isolate is evicted first, they are lost. A push that timed out but did reach the gate
// is counted twice (at least once, not exactly once: a stuck gate must not stop this isolate's reports).

import type { Env } from '../env.ts'
import { gateFor } from '../context.ts'
import { addDelta, emptyDelta, type UsageDelta } from '../gate/protocol.ts'
import { within } from '../within.ts'
import { REPORT_GAP_MS, REPORT_LOOP_MAX_MS, REPORT_TIMEOUT_MS } from '../budgets.ts'

interface AgentMeter {
  slug: string
  pending: UsageDelta | null
  /** The running push loop (or the one that starts when the running one ends). */
  loop: Promise<void> | null
  /** false once the running loop is making its last push: counts added after that start the next loop. */
  takesMore: boolean
}

/** How a push loop paces itself; tests pass their own to drive it deterministically. */
export interface MeterPacing {
  /** The wait between two pushes: REPORT_GAP_MS. */
  gap: () => Promise<void>
  reportTimeoutMs: number
}

// Pacing inside a running push loop, not a lifecycle timer.
const PACING: MeterPacing = { gap: () => scheduler.wait(REPORT_GAP_MS), reportTimeoutMs: REPORT_TIMEOUT_MS }

const meters = new Map<string, AgentMeter>()

export interface MeterTarget {
  slug: string
  agentId: string
  tenantId: string
}

/** true when the gate took the counts; false when the call failed or did not answer within `timeoutMs`. */
async function pushed(env: Env, slug: string, delta: UsageDelta, timeoutMs: number): Promise<boolean> {
  const reported = Promise.resolve()
    .then(() => gateFor(env, slug).report(delta))
    .then(() => true, () => false) // the gate was unreachable (reset, overloaded)
  return (await within(reported, timeoutMs)) === true
}

async function pushLoop(env: Env, m: AgentMeter, pacing: MeterPacing): Promise<void> {
  const started = Date.now()
  while (m.pending) {
    const last = Date.now() - started >= REPORT_LOOP_MAX_MS
    if (last) m.takesMore = false
    const delta = m.pending
    m.pending = null
    if (!(await pushed(env, m.slug, delta, pacing.reportTimeoutMs))) {
      // Fold the counts back: the next round of this loop (or, after the last, the next loop) pushes them.
      if (m.pending) addDelta(m.pending, delta)
      else m.pending = delta
    }
    if (last) return
    // The loop waits even when nothing is pending yet: requests that come one after another then share the
    // next push instead of each making its own (one gate call per request, each with its storage writes,
    // cost a request at 1 connection ~6 ms).
    await pacing.gap()
  }
}

/**
 * Adds `counts` for the agent. Returns a push to hand to waitUntil when this call started one; null when a
 * running push will carry these counts.
 */
export function recordUsage(env: Env, target: MeterTarget, counts: Partial<UsageDelta>, pacing: MeterPacing = PACING): Promise<void> | null {
  let m = meters.get(target.agentId)
  if (!m) {
    m = { slug: target.slug, pending: null, loop: null, takesMore: false }
    meters.set(target.agentId, m)
  }
  m.pending ??= emptyDelta(target.agentId, target.tenantId)
  addDelta(m.pending, counts)
  m.pending.lastActivityAt = Date.now()
  if (m.loop && m.takesMore) return null
  const meter = m
  const loop: Promise<void> = (m.loop ?? Promise.resolve()).then(() => pushLoop(env, meter, pacing)).finally(() => {
    if (meter.loop === loop) meter.loop = null
  })
  m.loop = loop
  m.takesMore = true
  return loop
}
