// Stage 4: slug → RouteInfo. The isolate cache first, then the agent's AgentGate (which caches the route
// and knows whether the agent is warm), which asks the cluster-api. Unknown slugs are cached briefly too.
// A known route is refreshed in the background once it is a few seconds old, so a change of visibility or
// owner reaches every isolate within seconds while no request waits for the refresh.

import type { MiddlewareHandler } from 'hono'
import type { ResolveResult } from '../gate/protocol.ts'
import { gateFor, type EdgeEnv } from '../context.ts'
import { unknownAgent, upstreamFailed } from '../problems.ts'
import { RefreshingCache } from '../ttl-cache.ts'
import { warmAgents } from '../warm-agents.ts'
import { ProblemError } from '../../../wire/problem.ts'

/**
 * A known route is fresh this long in an isolate; then the next request uses it while the gate is asked again in
 * the background. With the gate's own ROUTE_FRESH_MS (10 s), a change of visibility or owner applies within ~20 s
 * under traffic.
 */
export const ROUTE_CACHE_FRESH_MS = 5_000
/**
 * A route this old (no traffic meanwhile, or the gate unreachable) is never used: the request waits for the gate.
 * With the gate's ROUTE_MAX_AGE_MS, no route older than 45 s ever decides who may talk to an agent.
 */
export const ROUTE_CACHE_MAX_AGE_MS = 15_000
/** Unknown slugs stay unknown this long: a scan of random subdomains costs one lookup per slug per window. */
export const NEGATIVE_ROUTE_TTL_MS = 10_000
const MAX_CACHED_ROUTES = 10_000

const routes = new RefreshingCache<string, ResolveResult>('route', MAX_CACHED_ROUTES, {
  freshMs: (result) => (result.route ? ROUTE_CACHE_FRESH_MS : NEGATIVE_ROUTE_TTL_MS),
  maxAgeMs: (result) => (result.route ? ROUTE_CACHE_MAX_AGE_MS : NEGATIVE_ROUTE_TTL_MS),
})

export const resolveRoute = (): MiddlewareHandler<EdgeEnv> =>
  async function resolveRoute(c, next) {
    const host = c.get('host')
    if (host.kind !== 'agent') throw new Error('resolveRoute runs only for agent hosts')
    const requestId = c.get('requestId')
    const resolved = await routes.get(
      host.slug,
      async (): Promise<ResolveResult> => {
        const result: ResolveResult = await gateFor(c.env, host.slug).resolve(host.slug, requestId)
        // Thrown, so nothing is cached: the next request asks again.
        if (result.lookupFailed) throw upstreamFailed(new Error(result.lookupFailed))
        return result
      },
      (refresh) => c.executionCtx.waitUntil(refresh),
    ).catch((error: unknown) => {
      // The gate unreachable, or a lookup the cache gave up on: the platform is not answering.
      throw error instanceof ProblemError ? error : upstreamFailed(error)
    })
    if (!resolved.route) throw unknownAgent()
    c.set('route', resolved.route)
    c.set('gateWarm', resolved.warm)
    // A cached "warm" is as old as the cached route: the mark it gives lasts no longer than the gate's idle time.
    if (resolved.warm) warmAgents.markWarm(resolved.route.agentId, c.get('config').gateIdleMs)
    await next()
  }
