// What a route needs from the runtime on each request: the current config (persona applies per turn) and the tenant db.
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import type { TenantDb } from '../db/tenant-db.ts'
import type { RuntimeState } from '../runtime-state.ts'
import { ProblemError } from '../../../wire/problem.ts'

export interface AgentContext {
  /** Reads config and db afresh, so a PUT /_myintell/config applies from the next turn. */
  current(): { config: RuntimeConfig; db: TenantDb }
  /** Marks a reply in flight beyond the handler (a stream); SIGTERM waits for it. Call the result when done. */
  track(): () => void
}

export function agentContext(state: RuntimeState): AgentContext {
  return {
    current() {
      const config = state.config()
      const db = state.db()
      // The pipeline already refuses requests before readiness; this guards a config swap in between.
      if (!config || !db) throw new ProblemError({
        status: 503, code: 'not-ready', title: 'Not ready',
        detail: 'This superfriend is still starting; retry shortly.',
        headers: { 'retry-after': '1' },
      })
      return { config, db }
    },
    track: () => state.begin(),
  }
}
