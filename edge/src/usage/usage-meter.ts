// Per-isolate accounting: counts per agent, pushed to the agent's gate (which batches and flushes them to
// the cluster-api). At most one push per agent is in flight from an isolate, and pushes are spaced by
// REPORT_GAP_MS; whatever arrives meanwhile goes in the next push. The gate sees about one call per second
// per busy isolate, not one per request, and no request waits for it. The last counts are always pushed:
// the push loop runs (inside waitUntil) until nothing is pending.

import type { Env } from '../env.ts'
import { gateFor } from '../context.ts'
import { addDelta, emptyDelta, type UsageDelta } from '../gate/protocol.ts'

interface AgentMeter {
  slug: string
  pending: UsageDelta | null
  flushing: Promise<void> | null
}

/** Pacing between two pushes from one isolate for one agent: bounds the gate's load under heavy traffic. */
export const REPORT_GAP_MS = 1_000

const meters = new Map<string, AgentMeter>()

export interface MeterTarget {
  slug: string
  agentId: string
  tenantId: string
}

/** Adds `counts` for the agent; returns the push to hand to waitUntil. */
export function recordUsage(env: Env, target: MeterTarget, counts: Partial<UsageDelta>): Promise<void> {
  let meter = meters.get(target.agentId)
  if (!meter) {
    meter = { slug: target.slug, pending: null, flushing: null }
    meters.set(target.agentId, meter)
  }
  meter.pending ??= emptyDelta(target.agentId, target.tenantId)
  addDelta(meter.pending, counts)
  const m = meter
  m.flushing ??= (async () => {
    try {
      while (m.pending) {
        const delta = m.pending
        m.pending = null
        try {
          await gateFor(env, m.slug).report(delta)
        } catch {
          // The gate was unreachable (reset, overloaded): fold the counts back into the next push.
          if (m.pending) addDelta(m.pending, delta)
          else m.pending = delta
          return
        }
        // Pacing inside a running push loop, not a lifecycle timer.
        if (m.pending) await scheduler.wait(REPORT_GAP_MS)
      }
    } finally {
      m.flushing = null
    }
  })()
  return m.flushing
}
