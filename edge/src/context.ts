// What the pipeline stages hand to each other through Hono's context.

import type { Context } from 'hono'
import type { Principal, PrincipalAccess } from '../../wire/headers.ts'
import type { RouteInfo } from '../../wire/internal-api.ts'
import type { EdgeConfig } from './config.ts'
import type { Env } from './env.ts'
import type { EdgeSpan } from './telemetry/tracing.ts'

export type HostTarget =
  | { kind: 'landing' }
  | { kind: 'app' }
  | { kind: 'api' }
  | { kind: 'agent'; slug: string }

export interface EdgeVariables {
  config: EdgeConfig
  requestId: string
  /** The client's headers minus every internal one (and minus the credentials the edge consumed). */
  forwardHeaders: Headers
  host: HostTarget
  route: RouteInfo
  principal: Principal
  /** `member` when the principal acts for the agent's tenant, `guest` on a public agent otherwise (set by authorize). */
  principalAccess: PrincipalAccess
  /** Tenants the principal may act for. */
  principalTenants: readonly string[]
  /** An API key's scopes; null for a session or an anonymous caller (users are bounded by membership, not scopes). */
  principalScopes: readonly string[] | null
  /** The request's trace span (telemetry/request-span.ts); null when tracing is off. */
  span: EdgeSpan | null
}

export type EdgeEnv = { Bindings: Env; Variables: EdgeVariables }
export type EdgeContext = Context<EdgeEnv>

export function gateFor(env: Env, slug: string) {
  return env.AGENT_GATE.get(env.AGENT_GATE.idFromName(slug))
}
