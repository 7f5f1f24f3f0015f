// Per-isolate accounting: counts per agent, pushed to the agent's gate (which batches and flushes them to
// the cluster-api). At most one push per agent is in flight from an isolate; whatever arrives meanwhile
// goes in the next push, so the gate sees one call per round trip, not one per request, and nothing waits.

import type { Env } from '../env.ts'
import { gateFor } from '../context.ts'
import { addDelta, emptyDelta, type UsageDelta } from '../gate/protocol.ts'

interface AgentMeter {
  slug: string
  pending: UsageDelta | null
  flushing: Promise<void> | null
}

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
      }
    } finally {
      m.flushing = null
    }
  })()
  return m.flushing
}
