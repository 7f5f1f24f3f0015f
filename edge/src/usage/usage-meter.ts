// Per-isolate accounting: counts per agent, pushed to the agent's gate (which batches and flushes them to
// the cluster-api). At most one push loop per agent runs in an isolate; it pushes, waits REPORT_GAP_MS while
// more counts arrive, pushes again if there are any, and hands over after REPORT_LOOP_MAX_MS. Only the request that starts a
// loop keeps it alive (waitUntil); every other request just adds its counts, which costs nothing per request
// and keeps no request's context alive past its answer. The gate sees about one call per second per busy
// isolate, no request waits for it, and the last counts are always pushed.

import type { Env } from '../env.ts'
import { gateFor } from '../context.ts'
import { addDelta, emptyDelta, type UsageDelta } from '../gate/protocol.ts'

interface AgentMeter {
  slug: string
  pending: UsageDelta | null
  /** The running push loop (or the one that starts when the running one ends). */
  loop: Promise<void> | null
  /** false once the running loop is making its last push: counts added after that start the next loop. */
  takesMore: boolean
}

/** Pacing between two pushes from one isolate for one agent: bounds the gate's load under heavy traffic. */
export const REPORT_GAP_MS = 1_000
/**
 * A push loop ends after this long and the next request starts a fresh one: waitUntil work may outlive its
 * request only so long (30 s on Cloudflare), and one request should not stay alive for all the others.
 */
export const REPORT_LOOP_MAX_MS = 10_000

const meters = new Map<string, AgentMeter>()

export interface MeterTarget {
  slug: string
  agentId: string
  tenantId: string
}

async function pushLoop(env: Env, m: AgentMeter): Promise<void> {
  const started = Date.now()
  while (m.pending) {
    const last = Date.now() - started >= REPORT_LOOP_MAX_MS
    if (last) m.takesMore = false
    const delta = m.pending
    m.pending = null
    try {
      await gateFor(env, m.slug).report(delta)
    } catch {
      // The gate was unreachable (reset, overloaded): fold the counts back; the next request pushes them.
      if (m.pending) addDelta(m.pending, delta)
      else m.pending = delta
      return
    }
    if (last) return
    // Pacing inside a running push loop, not a lifecycle timer. The loop waits even when nothing is pending
    // yet: requests that come one after another then share the next push instead of each making its own
    // (one gate call per request, each with its storage writes, cost a request at 1 connection ~6 ms).
    await scheduler.wait(REPORT_GAP_MS)
  }
}

/**
 * Adds `counts` for the agent. Returns a push to hand to waitUntil when this call started one; null when a
 * running push will carry these counts.
 */
export function recordUsage(env: Env, target: MeterTarget, counts: Partial<UsageDelta>): Promise<void> | null {
  let m = meters.get(target.agentId)
  if (!m) {
    m = { slug: target.slug, pending: null, loop: null, takesMore: false }
    meters.set(target.agentId, m)
  }
  m.pending ??= emptyDelta(target.agentId, target.tenantId)
  addDelta(m.pending, counts)
  if (m.loop && m.takesMore) return null
  const meter = m
  const loop: Promise<void> = (m.loop ?? Promise.resolve()).then(() => {
    meter.takesMore = true
    return pushLoop(env, meter)
  }).finally(() => {
    if (meter.loop === loop) meter.loop = null
  })
  m.loop = loop
  m.takesMore = true
  return loop
}
