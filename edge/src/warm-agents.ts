// Which agents this isolate has seen answer: those go straight to the origin, with no Durable Object
// round trip. Forgotten on a "no endpoints" answer from the origin, or after a while without traffic.
// A mark is a hint, never a promise: one gone stale (the agent slept meanwhile) costs one marked answer, after
// which forward-or-wake.ts sends the request, kept body and all, back through the gate.

import { TtlCache } from './ttl-cache.ts'
import { WARM_TTL_MS } from './budgets.ts'

const MAX_WARM_AGENTS = 10_000

const warm = new TtlCache<string, true>(MAX_WARM_AGENTS)

export const warmAgents = {
  isWarm: (agentId: string): boolean => warm.get(agentId) === true,
  /**
   * `ttlMs`, the gate's idle time, caps the mark: an agent the platform may have put to sleep is asked about.
   * 0 (an agent that never idles out) leaves WARM_TTL_MS.
   */
  markWarm: (agentId: string, ttlMs = WARM_TTL_MS): void => warm.set(agentId, true, ttlMs > 0 ? Math.min(ttlMs, WARM_TTL_MS) : WARM_TTL_MS),
  forget: (agentId: string): void => warm.delete(agentId),
}
