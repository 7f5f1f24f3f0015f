// Slug → RouteInfo. The isolate cache first, then the agent's AgentGate (which caches the route
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
import { NEGATIVE_ROUTE_TTL_MS, ROUTE_CACHE_FRESH_MS, ROUTE_CACHE_MAX_AGE_MS } from '../budgets.ts'

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
    // A cached "warm" is as old as the cached route: the mark it gives lasts no longer than the gate's idle time.
    if (resolved.warm) warmAgents.markWarm(resolved.route.agentId, c.get('config').gateIdleMs)
    await next()
  }
