// Stage 4: slug → RouteInfo. The isolate cache first, then the agent's AgentGate (which caches the route
// and knows whether the agent is warm), which asks the cluster-api. Unknown slugs are cached briefly too.

import type { MiddlewareHandler } from 'hono'
import type { ResolveResult } from '../gate/protocol.ts'
import { gateFor, type EdgeEnv } from '../context.ts'
import { unknownAgent, upstreamFailed } from '../problems.ts'
import { SingleFlight, TtlCache } from '../ttl-cache.ts'
import { warmAgents } from '../warm-agents.ts'

/** Known routes stay this long in an isolate: ownership or visibility changes take at most this to apply. */
export const ROUTE_CACHE_TTL_MS = 30_000
/** Unknown slugs stay unknown this long: a scan of random subdomains costs one lookup per slug per window. */
export const NEGATIVE_ROUTE_TTL_MS = 10_000
const MAX_CACHED_ROUTES = 10_000

const routes = new TtlCache<string, ResolveResult>(MAX_CACHED_ROUTES)
const lookups = new SingleFlight<string, ResolveResult>()

export const resolveRoute = (): MiddlewareHandler<EdgeEnv> =>
  async function resolveRoute(c, next) {
    const host = c.get('host')
    if (host.kind !== 'agent') throw new Error('resolveRoute runs only for agent hosts')
    let resolved = routes.get(host.slug)
    if (!resolved) {
      resolved = await lookups.run(host.slug, async () => {
        let result: ResolveResult
        try {
          result = await gateFor(c.env, host.slug).resolve(host.slug, c.get('requestId'))
        } catch (error) {
          throw upstreamFailed(error)
        }
        routes.set(host.slug, result, result.route ? ROUTE_CACHE_TTL_MS : NEGATIVE_ROUTE_TTL_MS)
        return result
      })
    }
    if (!resolved.route) throw unknownAgent()
    c.set('route', resolved.route)
    c.set('gateWarm', resolved.warm)
    // A cached "warm" is as old as the cached route: the mark it gives lasts no longer than the gate's idle time.
    if (resolved.warm) warmAgents.markWarm(resolved.route.agentId, c.get('config').gateIdleMs)
    await next()
  }
